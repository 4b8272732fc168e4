// The HTTP face of the query service: start a query and follow it through Athena's lifecycle, page its
// results, cancel it, list the history; save named queries; read the catalog. Bodies and query strings
// are checked against the schemas below; the service's typed errors become {error: {code, message}} in
// the server's one error handler.
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { QUERY_STATES } from "./query-execution.js";
import { MAX_EXECUTIONS_PER_PAGE, MAX_PARTITIONS_PER_PAGE, MAX_RESULTS_PER_PAGE, type QueryService } from "./query-service.js";

const StartQueryBody = Type.Object(
  {
    sql: Type.Optional(Type.String({ minLength: 1, description: "the statement to run" })),
    namedQueryId: Type.Optional(Type.String({ minLength: 1, description: "run this saved query instead" })),
    clientRequestToken: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the same token returns the same execution" })),
  },
  { additionalProperties: false },
);

const NamedQueryBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    sql: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const PageQuery = (max: number) =>
  Type.Object(
    {
      maxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: max })),
      nextToken: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  );

const HistoryQuery = Type.Composite([PageQuery(MAX_EXECUTIONS_PER_PAGE), Type.Object({ state: Type.Optional(Type.Union(QUERY_STATES.map((state) => Type.Literal(state)))) })], {
  additionalProperties: false,
});

const IdParams = Type.Object({ id: Type.String() });
const NameParams = Type.Object({ name: Type.String() });

export async function registerQueryRoutes(app: FastifyInstance, service: QueryService): Promise<void> {
  app.post<{ Body: Static<typeof StartQueryBody> }>("/v1/queries", { schema: { body: StartQueryBody } }, async (request) => {
    const execution = service.submit(request.body);
    return { queryExecutionId: execution.queryExecutionId, state: execution.state };
  });

  app.get<{ Querystring: Static<typeof HistoryQuery> }>("/v1/queries", { schema: { querystring: HistoryQuery } }, async (request) => service.list(request.query));

  app.get<{ Params: Static<typeof IdParams> }>("/v1/queries/:id", { schema: { params: IdParams } }, async (request) => service.get(request.params.id));

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<ReturnType<typeof PageQuery>> }>(
    "/v1/queries/:id/results",
    { schema: { params: IdParams, querystring: PageQuery(MAX_RESULTS_PER_PAGE) } },
    async (request) => service.results(request.params.id, request.query),
  );

  app.delete<{ Params: Static<typeof IdParams> }>("/v1/queries/:id", { schema: { params: IdParams } }, async (request) => service.cancel(request.params.id));

  app.post<{ Body: Static<typeof NamedQueryBody> }>("/v1/named-queries", { schema: { body: NamedQueryBody } }, async (request, reply) =>
    reply.code(201).send(service.createNamedQuery(request.body)),
  );

  app.get<{ Querystring: Static<ReturnType<typeof PageQuery>> }>(
    "/v1/named-queries",
    { schema: { querystring: PageQuery(MAX_EXECUTIONS_PER_PAGE) } },
    async (request) => service.listNamedQueries(request.query),
  );

  app.get<{ Params: Static<typeof IdParams> }>("/v1/named-queries/:id", { schema: { params: IdParams } }, async (request) => service.getNamedQuery(request.params.id));

  app.delete<{ Params: Static<typeof IdParams> }>("/v1/named-queries/:id", { schema: { params: IdParams } }, async (request, reply) => {
    service.deleteNamedQuery(request.params.id);
    return reply.code(204).send();
  });

  app.get("/v1/tables", async () => ({ tables: await service.tables() }));

  app.get<{ Params: Static<typeof NameParams> }>("/v1/tables/:name", { schema: { params: NameParams } }, async (request) => service.table(request.params.name));

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<ReturnType<typeof PageQuery>> }>(
    "/v1/tables/:name/partitions",
    { schema: { params: NameParams, querystring: PageQuery(MAX_PARTITIONS_PER_PAGE) } },
    async (request) => service.partitions(request.params.name, request.query),
  );
}
