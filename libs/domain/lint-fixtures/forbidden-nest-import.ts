// Lint fixture: libs/domain must not import a framework. lint-boundary.unit.spec.ts lints this file
// as if it stood in libs/domain/src and expects the boundary rule to fire.
import { Injectable } from '@nestjs/common';

@Injectable()
export class NotAllowedInTheDomain {}
