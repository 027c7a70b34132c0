// POST /v1/keys and DELETE /v1/keys/{keyId} (hub-admin, SPEC §7).
import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CaravanError } from '@caravan/contracts';
import { validateKeyCreation } from '@caravan/validation';
import { Roles } from '../auth/index.js';
import { isUuid, valueOrThrow } from '../http/validation.js';
import { ApiProblems } from '../openapi/api-problems.js';
import { DirectoryCache } from '../directory/directory.cache.js';
import { KeyStore, type CreatedKey } from './key-store.js';
import { KEY_CREATION_SCHEMA, CREATED_KEY_SCHEMA } from '../openapi/schemas.js';

@ApiTags('hub administration')
@ApiBearerAuth()
@Roles('hub-admin')
@Controller('v1/keys')
export class KeysController {
  constructor(
    @Inject(KeyStore) private readonly keys: KeyStore,
    @Inject(DirectoryCache) private readonly directory: DirectoryCache,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key for an agency; the key is shown only in this answer' })
  @ApiBody({ schema: KEY_CREATION_SCHEMA })
  @ApiResponse({ status: 201, schema: CREATED_KEY_SCHEMA })
  @ApiProblems(400, 401, 403, 413, 415, 429)
  async create(@Body() body: unknown): Promise<CreatedKey> {
    const { agency, roles } = valueOrThrow(validateKeyCreation(body));
    const known = (await this.directory.current()).agencies.some((a) => a.code === agency);
    if (!known) {
      throw new CaravanError('invalid', 'the request is invalid; see errors', [
        { path: 'agency', message: 'is not an agency of the directory' },
      ]);
    }
    return this.keys.create(agency, roles);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiParam({ name: 'keyId', format: 'uuid' })
  @ApiResponse({ status: 204, description: 'revoked' })
  @ApiProblems(401, 403, 404, 429)
  async revoke(@Param('keyId') keyId: string): Promise<void> {
    if (!isUuid(keyId) || !(await this.keys.revoke(keyId))) {
      throw new CaravanError('not-found', 'no such active key');
    }
  }
}
