/**
 * `POST /api/enrol`: a kiosk redeems its one-time code. Registered on the hub's HTTPS listener only: the code is
 * the request's only credential, and the answer holds the kiosk's MQTT secret. A refused code is answered with
 * its coded error (ENROL_CODE_USED, ENROL_CODE_EXPIRED… 403), logged by the enrolment itself.
 */
import type { FastifyInstance } from 'fastify';
import { CodedError } from '../../core/errors/coded-error.ts';
import { enrolRequestSchema, type EnrolAnswer, type EnrolRequest } from '../../core/fleet/enrolment-wire.ts';

export type EnrolHandler = (request: EnrolRequest) => Promise<EnrolAnswer>;

export function registerEnrolRoute(app: FastifyInstance, enrol: EnrolHandler): void {
  app.post('/api/enrol', async (request, reply) => {
    const body = enrolRequestSchema.safeParse(request.body ?? {});
    if (!body.success) throw new CodedError('BAD_REQUEST', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    // The answer carries a secret: no cache may keep it.
    return reply.header('cache-control', 'no-store').send(await enrol(body.data));
  });
}
