import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RolloutService } from './service/RolloutService';

const ENTITY_PART = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

const entityParams = z.object({
  kind: z.string().regex(KIND, 'expected an entity kind such as component'),
  namespace: z
    .string()
    .regex(
      ENTITY_PART,
      'expected an entity namespace (letters, digits, -, _ and ., at most 63)',
    ),
  name: z
    .string()
    .regex(
      ENTITY_PART,
      'expected an entity name (letters, digits, -, _ and ., at most 63)',
    ),
});

const clusterField = z
  .string('expected a cluster name')
  .min(1, 'expected a cluster name')
  .max(253, 'expected a cluster name of at most 253 characters');

const eventsQuery = z.strictObject(
  {
    cluster: clusterField.optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'expected a whole number from 1 to 100')
      .transform(Number)
      .refine(n => n >= 1 && n <= 100, 'expected a whole number from 1 to 100')
      .optional(),
    cursor: z
      .string()
      .min(1)
      .max(1000, 'expected a nextCursor returned by this API')
      .optional(),
  },
  {
    error: issue =>
      issue.code === 'unrecognized_keys'
        ? `unknown query parameter ${issue.keys.join(
            ', ',
          )} — expected cluster, limit, cursor`
        : undefined,
  },
);

/** Parses with zod; a failure is an InputError naming the field and what is expected. */
function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'query' | 'path',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.join('.');
  const names = {
    query: ['query', 'query parameter'],
    path: ['path', 'path parameter'],
  }[where];
  const field = path ? `${names[1]} ${path}` : names[0];
  throw new InputError(`${field}: ${issue.message}`);
}

function entityRefOf(params: unknown): string {
  const { kind, namespace, name } = parse(entityParams, params, 'path');
  return `${kind.toLocaleLowerCase('en-US')}:${namespace}/${name}`;
}

/**
 * The read-only HTTP API under `/api/rollouts`.
 * @public
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  service: RolloutService;
}): Promise<express.Router> {
  const { httpAuth, service } = options;
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/rollout', async (req, res) => {
    const entityRef = entityRefOf(req.params);
    const credentials = await httpAuth.credentials(req);
    res.json(await service.getRollout(entityRef, { credentials }));
  });

  router.get(
    '/entities/:kind/:namespace/:name/rollout/events',
    async (req, res) => {
      const entityRef = entityRefOf(req.params);
      const query = parse(eventsQuery, req.query, 'query');
      const credentials = await httpAuth.credentials(req);
      res.json(
        await service.getEvents(
          entityRef,
          {
            cluster: query.cluster,
            limit: query.limit ?? 20,
            cursor: query.cursor,
          },
          { credentials },
        ),
      );
    },
  );

  return router;
}
