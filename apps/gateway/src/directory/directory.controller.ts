// The directory of SPEC §2 over HTTP: hub-admins register agencies and crossing points; any key reads.
import { Body, Controller, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Agency, CrossingPoint } from '@caravan/contracts';
import { validateAgencyRegistration, validateCrossingPointRegistration } from '@caravan/validation';
import { Roles } from '../auth/index.js';
import { valueOrThrow } from '../http/validation.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { AGENCY_SCHEMA, CROSSING_POINT_SCHEMA } from '../openapi/schemas.js';
import { DirectoryCache } from './directory.cache.js';

@ApiTags('directory')
@ApiBearerAuth()
@Controller('v1')
export class DirectoryController {
  constructor(@Inject(DirectoryCache) private readonly directory: DirectoryCache) {}

  @Roles('hub-admin')
  @Put('agencies/:code')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register or update an agency' })
  @ApiParam({ name: 'code', example: 'TJ-DCA' })
  @ApiBody({ schema: AGENCY_SCHEMA })
  @ApiResponse({ status: 200, description: 'the agency as registered' })
  @ApiProblems(400, 401, 403, 413, 415, 429)
  async putAgency(@Param('code') code: string, @Body() body: unknown): Promise<Agency> {
    const fields = valueOrThrow(validateAgencyRegistration(code, body));
    const agency: Agency = { code, ...fields };
    await this.directory.upsertAgency(agency);
    return agency;
  }

  @Get('agencies')
  @ApiOperation({ summary: 'The agencies of the directory (codes, names, kinds, groups)' })
  @ApiResponse({ status: 200, description: '{agencies: [...]}' })
  @ApiProblems(401, 429)
  async agencies(): Promise<{ agencies: readonly Agency[] }> {
    return { agencies: (await this.directory.current()).agencies };
  }

  @Roles('hub-admin')
  @Put('crossing-points/:code')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register or update a border crossing point' })
  @ApiParam({ name: 'code', example: 'TJ-NIZHNY-PANJ' })
  @ApiBody({ schema: CROSSING_POINT_SCHEMA })
  @ApiResponse({ status: 200, description: 'the crossing point as registered' })
  @ApiProblems(400, 401, 403, 413, 415, 429)
  async putCrossingPoint(@Param('code') code: string, @Body() body: unknown): Promise<CrossingPoint> {
    const fields = valueOrThrow(validateCrossingPointRegistration(code, body));
    const point: CrossingPoint = { code, ...fields };
    await this.directory.upsertCrossingPoint(point);
    return point;
  }

  @Get('crossing-points')
  @ApiOperation({ summary: 'The crossing points of the directory' })
  @ApiResponse({ status: 200, description: '{crossingPoints: [...]}' })
  @ApiProblems(401, 429)
  async crossingPoints(): Promise<{ crossingPoints: readonly CrossingPoint[] }> {
    return { crossingPoints: (await this.directory.current()).crossingPoints };
  }
}
