/**
 * The HTTP floor: bare Fastify (the server under Nest's FastifyAdapter), one POST route that parses the JSON body
 * and answers JSON. Nothing Hearth can do per request is cheaper than this on the same machine.
 */
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';

async function main(): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  app.post('/petitions', async (req, reply) => {
    const body = req.body as { orgUnit?: string };
    void reply.code(201);
    return { id: randomUUID(), orgUnit: body.orgUnit, revision: 1, position: 1, events: ['PetitionRegistered'], replayed: false };
  });
  app.get('/health', async () => ({ status: 'ok' }));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

void main();
