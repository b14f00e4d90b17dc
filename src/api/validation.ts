import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS with a default export object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    // Unknown fields and wrong types are errors, never silently stripped or coerced (Fastify's
    // defaults do both). Only path and query parameters, which are text on the wire, coerce.
    removeAdditional: false,
    coerceTypes,
    useDefaults: true,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const bodyAjv = createAjv(false);
const textAjv = createAjv(true);

/** Fastify validator compiler: strict bodies, coerced path/query/header text. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ValidateFunction;
};
