// OpenAPI 3 document generated from the controllers' decorators, served at /docs (UI) and
// /docs/openapi.json.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Mounts /docs and /docs/openapi.json. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Caravan hub API')
    .setDescription(
      'Seizure reports and threat alerts shared between Central Asian agencies under per-field sharing ' +
        'policies (SPEC §7). Errors are RFC 9457 application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key cvn_…' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
}
