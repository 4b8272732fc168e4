// Amazon Athena (JSON 1.1, target AmazonAthena) over the pipeline's query service: the same executions,
// results and named queries as /v1/queries, the CLI and the dashboard. One catalog (AwsDataCatalog), one
// database (`default`, also called `shopstream`) holding the lake's tables, KPI views and CTAS tables,
// and one workgroup (`primary`). Results stay in memory: OutputLocation names where Athena would have
// written them, and nothing is written there.
import { NotFoundError } from "../../errors/index.js";
import type { QueryExecution, QueryService, TableInfo } from "../../analytics/index.js";
import { AwsError, toAwsError, validationError, type AwsErrorCodes } from "../errors.js";
import type { AwsOperation, AwsService } from "../service.js";
import { readArray, readInteger, readObject, readString } from "../values.js";
import { columnInfoOf, headerRowOf, rowOf } from "./result-set.js";

export interface AthenaServiceOptions {
  queries: QueryService;
}

type Input = Record<string, unknown>;

/** Athena answers every client mistake, unknown ids included, with InvalidRequestException. */
export const ATHENA_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidRequestException",
  notFound: "InvalidRequestException",
  inUse: "InvalidRequestException",
  throttled: "TooManyRequestsException",
  throttledStatus: 400,
};

export const CATALOG = "AwsDataCatalog";
export const DATABASE = "default";
const DATABASE_ALIASES = new Set(["default", "shopstream"]);
export const WORK_GROUP = "primary";
export const DEFAULT_OUTPUT_LOCATION = "s3://shopstream-athena-results/";
const MAX_RESULTS = 1000;
const MAX_LISTED = 50;
const MAX_BATCH = 50;
/** executions whose context (database, output location) is remembered; the query service keeps 1,000 */
const MAX_CONTEXTS = 10_000;
const ID = { required: true, minLength: 1, maxLength: 128 } as const;
const ENGINE_VERSION = { SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3" };

/**
 * Athena's InvalidRequestException carries AthenaErrorCode, finer than the exception: INVALID_INPUT (a member
 * names what is not there or is not supported), INVALID_QUERY_EXECUTION_STATE (results of a query that has
 * none, or not yet).
 */
type AthenaErrorCode = "INVALID_INPUT" | "INVALID_QUERY_EXECUTION_STATE";

const invalidRequest = (message: string, athenaErrorCode: AthenaErrorCode = "INVALID_INPUT") =>
  new AwsError("InvalidRequestException", message, 400, { members: { AthenaErrorCode: athenaErrorCode } });

/** The query service's refusals (which ATHENA_ERROR_CODES makes InvalidRequestException) get INVALID_INPUT too. */
function withAthenaErrorCode(operation: AwsOperation): AwsOperation {
  return async (input, ctx) => {
    try {
      return await operation(input, ctx);
    } catch (error) {
      const aws = toAwsError(error, ATHENA_ERROR_CODES);
      if (aws?.code !== "InvalidRequestException" || aws.members["AthenaErrorCode"] !== undefined) throw error;
      throw invalidRequest(aws.message);
    }
  };
}

interface ExecutionContext {
  database: string;
  outputLocation: string;
}

function checkWorkGroup(input: Input): void {
  const workGroup = readString(input, "WorkGroup", { minLength: 1, maxLength: 128 });
  if (workGroup !== undefined && workGroup !== WORK_GROUP) throw invalidRequest(`WorkGroup ${workGroup} is not found.`);
}

function checkDatabase(database: string | undefined, catalog: string | undefined): string {
  if (catalog !== undefined && catalog.toLowerCase() !== CATALOG.toLowerCase()) throw invalidRequest(`Catalog ${catalog} is not found. The only catalog is ${CATALOG}.`);
  if (database === undefined) return DATABASE;
  if (!DATABASE_ALIASES.has(database.toLowerCase())) throw invalidRequest(`Database ${database} is not found. The lake's tables are in database ${DATABASE} (also called shopstream).`);
  return database.toLowerCase();
}

const TABLE_TYPES: Record<TableInfo["source"], string> = { lake: "EXTERNAL_TABLE", kpi: "VIRTUAL_VIEW", ctas: "EXTERNAL_TABLE" };

function tableMetadataOf(table: TableInfo) {
  const column = (c: TableInfo["columns"][number]) => ({ Name: c.name, Type: c.type.toLowerCase(), ...(c.description !== undefined && { Comment: c.description }) });
  return {
    Name: table.name,
    ...(table.createdAt !== undefined && { CreateTime: new Date(table.createdAt) }),
    TableType: TABLE_TYPES[table.source],
    Columns: table.columns.filter((c) => !c.partitionKey).map(column),
    PartitionKeys: table.columns.filter((c) => c.partitionKey).map(column),
    Parameters: {
      comment: table.description,
      "shopstream.source": table.source,
      ...(table.location !== undefined && { location: `lake://${table.location}` }),
      ...(table.sql !== undefined && { "view.sql": table.sql }),
    },
  };
}

export function createAthenaService(options: AthenaServiceOptions): AwsService {
  const { queries } = options;
  const contexts = new Map<string, ExecutionContext>();
  const namedQueryTokens = new Map<string, string>();

  const remember = (id: string, context: ExecutionContext) => {
    contexts.set(id, context);
    if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  };

  const execution = (id: string): QueryExecution => {
    try {
      return queries.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw invalidRequest(`QueryExecution ${id} was not found`);
      throw error;
    }
  };

  const executionShape = (run: QueryExecution) => {
    const context = contexts.get(run.queryExecutionId) ?? { database: DATABASE, outputLocation: DEFAULT_OUTPUT_LOCATION };
    const { statistics } = run;
    const failed = run.state === "FAILED" && run.error;
    return {
      QueryExecutionId: run.queryExecutionId,
      Query: run.sql,
      StatementType: run.statementType,
      ResultConfiguration: { OutputLocation: `${context.outputLocation}${run.queryExecutionId}.csv` },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: { Database: context.database, Catalog: CATALOG },
      Status: {
        State: run.state,
        ...(run.stateChangeReason !== undefined && { StateChangeReason: run.stateChangeReason }),
        SubmissionDateTime: new Date(run.submittedAt),
        ...(run.completedAt !== undefined && { CompletionDateTime: new Date(run.completedAt) }),
        ...(failed && {
          // 1 system, 2 user: a query DuckDB refused is the user's.
          AthenaError: { ErrorCategory: run.error!.code === "internal_error" ? 1 : 2, Retryable: false, ErrorMessage: run.error!.message },
        }),
      },
      Statistics: {
        EngineExecutionTimeInMillis: statistics.engineExecutionTimeMs ?? 0,
        // Not measured: the query service does not count the bytes DuckDB reads.
        DataScannedInBytes: 0,
        TotalExecutionTimeInMillis: statistics.totalExecutionTimeMs ?? 0,
        QueryQueueTimeInMillis: statistics.queueTimeMs ?? 0,
        ServicePreProcessingTimeInMillis: 0,
        QueryPlanningTimeInMillis: 0,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
      },
      WorkGroup: WORK_GROUP,
      EngineVersion: ENGINE_VERSION,
    };
  };

  const namedQueryShape = (id: string) => {
    const saved = queries.getNamedQuery(id);
    return {
      Name: saved.name,
      ...(saved.description !== undefined && { Description: saved.description }),
      Database: DATABASE,
      QueryString: saved.sql,
      NamedQueryId: saved.namedQueryId,
      WorkGroup: WORK_GROUP,
    };
  };

  const namedQueryOrInvalid = (id: string) => {
    try {
      return namedQueryShape(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw invalidRequest(`NamedQuery ${id} was not found`);
      throw error;
    }
  };

  /** The results' NextToken: the query service's token for the next data rows, tied to the execution. */
  const resultsToken = {
    encode: (id: string, serviceToken: string | null) => Buffer.from(JSON.stringify(["athena-results", id, serviceToken])).toString("base64url"),
    decode: (id: string, token: string): string | null => {
      try {
        const [scope, tokenId, serviceToken] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as [unknown, unknown, unknown];
        if (scope === "athena-results" && tokenId === id && (serviceToken === null || typeof serviceToken === "string")) return serviceToken;
      } catch {
        // Falls through to the error below.
      }
      throw invalidRequest("NextToken is not a token this query's results gave out");
    },
  };

  const pageSize = (input: Input, max: number): number | undefined => {
    const value = readInteger(input, "MaxResults", { min: 0, max });
    return value === 0 ? undefined : value;
  };

  const tables = async (): Promise<TableInfo[]> => (await queries.tables()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const databaseShape = () => ({ Name: DATABASE, Description: "the shopstream lake: its tables, KPI views and CTAS tables", Parameters: { aliases: "shopstream" } });

  const operations: Record<string, AwsOperation> = {
    StartQueryExecution(input) {
      const sql = readString(input, "QueryString", { required: true, minLength: 1, maxLength: 262_144 });
      const token = readString(input, "ClientRequestToken", { minLength: 1, maxLength: 128 });
      const context = readObject(input, "QueryExecutionContext") ?? {};
      const database = checkDatabase(readString(context, "Database", { minLength: 1, maxLength: 255 }), readString(context, "Catalog", { minLength: 1, maxLength: 256 }));
      checkWorkGroup(input);
      const parameters = readArray(input, "ExecutionParameters", { min: 1 });
      if (parameters !== undefined) throw invalidRequest("ExecutionParameters are not supported: put the values in the QueryString");
      const resultConfiguration = readObject(input, "ResultConfiguration") ?? {};
      let outputLocation = readString(resultConfiguration, "OutputLocation", { maxLength: 1024 }) ?? DEFAULT_OUTPUT_LOCATION;
      if (!/^s3:\/\/[^/]+/.test(outputLocation)) throw invalidRequest(`outputLocation ${outputLocation} is not a valid S3 path.`);
      if (!outputLocation.endsWith("/")) outputLocation += "/";
      const started = queries.submit({ sql, ...(token !== undefined && { clientRequestToken: token }) });
      if (!contexts.has(started.queryExecutionId)) remember(started.queryExecutionId, { database, outputLocation });
      return { QueryExecutionId: started.queryExecutionId };
    },

    GetQueryExecution(input) {
      return { QueryExecution: executionShape(execution(readString(input, "QueryExecutionId", ID))) };
    },

    BatchGetQueryExecution(input) {
      const ids = readArray(input, "QueryExecutionIds", { min: 1, max: MAX_BATCH });
      if (!ids) throw validationError("Value null at 'queryExecutionIds' failed to satisfy constraint: Member must not be null");
      const found: ReturnType<typeof executionShape>[] = [];
      const unprocessed: Array<{ QueryExecutionId: string; ErrorCode: string; ErrorMessage: string }> = [];
      for (const id of ids) {
        if (typeof id !== "string") throw new AwsError("SerializationException", "QueryExecutionIds: expected strings");
        try {
          found.push(executionShape(queries.get(id)));
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          unprocessed.push({ QueryExecutionId: id, ErrorCode: "INVALID_INPUT", ErrorMessage: `QueryExecution ${id} was not found` });
        }
      }
      return { QueryExecutions: found, UnprocessedQueryExecutionIds: unprocessed };
    },

    GetQueryResults(input) {
      const id = readString(input, "QueryExecutionId", ID);
      const max = readInteger(input, "MaxResults", { min: 1, max: MAX_RESULTS }) ?? MAX_RESULTS;
      const token = readString(input, "NextToken", { minLength: 1, maxLength: 1024 });
      const resultType = readString(input, "QueryResultType");
      if (resultType !== undefined && resultType !== "DATA_ROWS") throw invalidRequest(`QueryResultType ${resultType} is not supported (DATA_ROWS is)`);
      const run = execution(id);
      if (run.state === "QUEUED" || run.state === "RUNNING") throw invalidRequest(`Query has not yet finished. Current state: ${run.state}`, "INVALID_QUERY_EXECUTION_STATE");
      if (run.state !== "SUCCEEDED") throw invalidRequest(`Query did not finish successfully. Final query state: ${run.state}${run.stateChangeReason ? `. ${run.stateChangeReason}` : ""}`, "INVALID_QUERY_EXECUTION_STATE");
      if (run.resultsAvailable === false) throw invalidRequest(`The results of query ${id} were dropped to keep memory bounded; run it again`, "INVALID_QUERY_EXECUTION_STATE");
      // A SELECT's first page starts with the header row, which takes one of the page's MaxResults.
      const header = run.statementType === "DML" && token === undefined;
      const serviceToken = token === undefined ? null : resultsToken.decode(id, token);
      const dataRows = header ? max - 1 : max;
      const page = queries.results(id, { maxResults: Math.max(1, dataRows), ...(serviceToken !== null && { nextToken: serviceToken }) });
      const columns = columnInfoOf(page.columns);
      const rows = dataRows === 0 ? [] : page.rows.map((values) => rowOf(values, columns));
      const nextToken = dataRows === 0 ? (page.rowCount > 0 ? resultsToken.encode(id, null) : undefined) : page.nextToken !== undefined ? resultsToken.encode(id, page.nextToken) : undefined;
      return {
        UpdateCount: run.statementType === "DDL" ? (run.statistics.resultRowCount ?? 0) : 0,
        ResultSet: { Rows: header ? [headerRowOf(columns), ...rows] : rows, ResultSetMetadata: { ColumnInfo: columns } },
        ...(nextToken !== undefined && { NextToken: nextToken }),
      };
    },

    async StopQueryExecution(input) {
      const id = readString(input, "QueryExecutionId", ID);
      execution(id);
      await queries.cancel(id);
      return {};
    },

    ListQueryExecutions(input) {
      checkWorkGroup(input);
      const maxResults = pageSize(input, MAX_LISTED);
      const nextToken = readString(input, "NextToken", { minLength: 1, maxLength: 1024 });
      const page = queries.list({ ...(maxResults !== undefined && { maxResults }), ...(nextToken !== undefined && { nextToken }) });
      return { QueryExecutionIds: page.queryExecutions.map((run) => run.queryExecutionId), ...(page.nextToken !== undefined && { NextToken: page.nextToken }) };
    },

    CreateNamedQuery(input) {
      const name = readString(input, "Name", { required: true, minLength: 1, maxLength: 128 });
      const description = readString(input, "Description", { minLength: 0, maxLength: 1024 });
      checkDatabase(readString(input, "Database", { required: true, minLength: 1, maxLength: 255 }), undefined);
      const sql = readString(input, "QueryString", { required: true, minLength: 1, maxLength: 262_144 });
      const token = readString(input, "ClientRequestToken", { minLength: 32, maxLength: 128 });
      checkWorkGroup(input);
      const earlier = token === undefined ? undefined : namedQueryTokens.get(token);
      if (earlier !== undefined) {
        try {
          return { NamedQueryId: queries.getNamedQuery(earlier).namedQueryId };
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
      const saved = queries.createNamedQuery({ name, sql, ...(description !== undefined && { description }) });
      if (token !== undefined) namedQueryTokens.set(token, saved.namedQueryId);
      return { NamedQueryId: saved.namedQueryId };
    },

    GetNamedQuery(input) {
      return { NamedQuery: namedQueryOrInvalid(readString(input, "NamedQueryId", ID)) };
    },

    BatchGetNamedQuery(input) {
      const ids = readArray(input, "NamedQueryIds", { min: 1, max: MAX_BATCH });
      if (!ids) throw validationError("Value null at 'namedQueryIds' failed to satisfy constraint: Member must not be null");
      const found: ReturnType<typeof namedQueryShape>[] = [];
      const unprocessed: Array<{ NamedQueryId: string; ErrorCode: string; ErrorMessage: string }> = [];
      for (const id of ids) {
        if (typeof id !== "string") throw new AwsError("SerializationException", "NamedQueryIds: expected strings");
        try {
          found.push(namedQueryShape(id));
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          unprocessed.push({ NamedQueryId: id, ErrorCode: "INVALID_INPUT", ErrorMessage: `NamedQuery ${id} was not found` });
        }
      }
      return { NamedQueries: found, UnprocessedNamedQueryIds: unprocessed };
    },

    ListNamedQueries(input) {
      checkWorkGroup(input);
      const maxResults = pageSize(input, MAX_LISTED);
      const nextToken = readString(input, "NextToken", { minLength: 1, maxLength: 1024 });
      const page = queries.listNamedQueries({ ...(maxResults !== undefined && { maxResults }), ...(nextToken !== undefined && { nextToken }) });
      return { NamedQueryIds: page.namedQueries.map((saved) => saved.namedQueryId), ...(page.nextToken !== undefined && { NextToken: page.nextToken }) };
    },

    DeleteNamedQuery(input) {
      const id = readString(input, "NamedQueryId", ID);
      try {
        queries.deleteNamedQuery(id);
      } catch (error) {
        if (error instanceof NotFoundError) throw invalidRequest(`NamedQuery ${id} was not found`);
        throw error;
      }
      return {};
    },

    GetWorkGroup(input) {
      const name = readString(input, "WorkGroup", { required: true, minLength: 1, maxLength: 128 });
      if (name !== WORK_GROUP) throw invalidRequest(`WorkGroup ${name} is not found.`);
      return {
        WorkGroup: {
          Name: WORK_GROUP,
          State: "ENABLED",
          Description: "the only workgroup",
          Configuration: {
            ResultConfiguration: { OutputLocation: DEFAULT_OUTPUT_LOCATION },
            EnforceWorkGroupConfiguration: false,
            PublishCloudWatchMetricsEnabled: false,
            RequesterPaysEnabled: false,
            EngineVersion: ENGINE_VERSION,
          },
        },
      };
    },

    ListWorkGroups() {
      return { WorkGroups: [{ Name: WORK_GROUP, State: "ENABLED", Description: "the only workgroup", EngineVersion: ENGINE_VERSION }] };
    },

    ListDatabases(input) {
      checkDatabase(undefined, readString(input, "CatalogName", { required: true, minLength: 1, maxLength: 256 }));
      return { DatabaseList: [databaseShape()] };
    },

    GetDatabase(input) {
      checkDatabase(readString(input, "DatabaseName", { required: true, minLength: 1, maxLength: 128 }), readString(input, "CatalogName", { required: true, minLength: 1, maxLength: 256 }));
      return { Database: databaseShape() };
    },

    async ListTableMetadata(input) {
      checkDatabase(readString(input, "DatabaseName", { required: true, minLength: 1, maxLength: 128 }), readString(input, "CatalogName", { required: true, minLength: 1, maxLength: 256 }));
      const expression = readString(input, "Expression", { maxLength: 256 });
      const maxResults = readInteger(input, "MaxResults", { min: 1, max: MAX_LISTED }) ?? MAX_LISTED;
      const nextToken = readString(input, "NextToken", { minLength: 1, maxLength: 1024 });
      // Expression is a Hive-style pattern: * any characters, | alternatives.
      const pattern = expression === undefined ? undefined : new RegExp(`^(${expression.split("|").map((part) => part.trim().replace(/[.+?^${}()[\]\\]/g, "\\$&").replaceAll("*", ".*")).join("|")})$`, "i");
      const matching = (await tables()).filter((table) => !pattern || pattern.test(table.name));
      const start = nextToken === undefined ? 0 : matching.findIndex((table) => table.name > Buffer.from(nextToken, "base64url").toString("utf8"));
      const from = start < 0 ? matching.length : start;
      const page = matching.slice(from, from + maxResults);
      const last = page.at(-1);
      return {
        TableMetadataList: page.map(tableMetadataOf),
        ...(from + page.length < matching.length && last && { NextToken: Buffer.from(last.name).toString("base64url") }),
      };
    },

    async GetTableMetadata(input) {
      checkDatabase(readString(input, "DatabaseName", { required: true, minLength: 1, maxLength: 128 }), readString(input, "CatalogName", { required: true, minLength: 1, maxLength: 256 }));
      const name = readString(input, "TableName", { required: true, minLength: 1, maxLength: 128 });
      const table = (await tables()).find((candidate) => candidate.name === name);
      if (!table) throw new AwsError("MetadataException", `Table ${name} not found in database ${DATABASE}`);
      return { TableMetadata: tableMetadataOf(table) };
    },
  };

  return {
    name: "Athena",
    signingName: "athena",
    errorCodes: ATHENA_ERROR_CODES,
    json: { targetPrefix: "AmazonAthena", version: "1.1", operations: Object.fromEntries(Object.entries(operations).map(([name, operation]) => [name, withAthenaErrorCode(operation)])) },
  };
}
