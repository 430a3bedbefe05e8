/**
 * `POST /api/enrol`: a kiosk redeems its one-time code. Registered on the hub's HTTPS listener only: the code is
 * the request's only credential, and the answer holds the kiosk's MQTT secret. A refused code is answered with
 * its coded error (ENROL_CODE_USED, ENROL_CODE_EXPIRED… 403), logged by the enrolment itself.
 */
import type { FastifyInstance } from 'fastify';
import { enrolRequestSchema, type EnrolAnswer, type EnrolRequest } from '../../core/fleet/enrolment-wire.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';

export type EnrolHandler = (request: EnrolRequest) => Promise<EnrolAnswer>;

export function registerEnrolRoute(app: FastifyInstance, enrol: EnrolHandler): void {
  app.post('/api/enrol', async (request, reply) => {
    const body = parseRequest(enrolRequestSchema, request.body);
    // The answer carries a secret: no cache may keep it.
    return reply.header('cache-control', 'no-store').send(await enrol(body));
  });
}
