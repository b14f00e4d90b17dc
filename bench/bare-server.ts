// The baseline of bench/ingest: a bare Fastify route that only parses the same JSON and answers.
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
  try {
    done(null, JSON.parse((body as Buffer).toString('utf8')));
  } catch (error) {
    done(error as Error, undefined);
  }
});
app.post('/v1/batch', async (request) => {
  const body = request.body as { batch: unknown[] };
  return { accepted: body.batch.length, rejected: [] };
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
