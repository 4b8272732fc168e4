// SQL console over the lake, on the Athena-style query API: an editor with run and cancel, saved (named)
// queries to load and save, the tables to pick from, a result table paged by next tokens, and a quick
// bar or line chart of the result's first text column against its first numeric column.
import { deleteJson, getJson, postJson, type NamedQueryList, type QueryExecution, type ResultPage, type TableInfo } from "../api.js";
import { GRID } from "../charts.js";
import { fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

export const SQL_PAGE_ROWS = 25;
const POLL_MS = 200;
const DEFAULT_SQL = `SELECT store_id, count(*) AS orders, sum(total) AS revenue
FROM orders
GROUP BY store_id
ORDER BY revenue DESC`;

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC)/i;

/** The columns a quick chart uses: the first non-numeric one as labels, the first numeric one as values. */
export function chartColumns(columns: Array<{ name: string; type: string }>): { label: number; value: number } | undefined {
  const value = columns.findIndex((column) => NUMERIC_TYPE.test(column.type));
  const label = columns.findIndex((column) => !NUMERIC_TYPE.test(column.type));
  return value < 0 || label < 0 ? undefined : { label, value };
}

const show = (value: unknown): string => (value === null || value === undefined ? "NULL" : typeof value === "object" ? JSON.stringify(value) : String(value));

export const sqlPage: PageDefinition = {
  id: "sql",
  title: "SQL",
  pollMs: 30_000,
  mount(root, scope) {
    const editorPanel = panel("Query the lake", { wide: true });
    const editor = h("textarea", { class: "sql-editor", id: "sql-editor", spellcheck: "false", "aria-label": "SQL" }) as HTMLTextAreaElement;
    editor.value = sessionStorage.getItem("shopstream.sql") ?? DEFAULT_SQL;
    const runButton = h("button", { class: "primary", type: "button", id: "sql-run" }, "Run") as HTMLButtonElement;
    const cancelButton = h("button", { type: "button", id: "sql-cancel", disabled: true }, "Cancel") as HTMLButtonElement;
    const nameInput = h("input", { type: "text", id: "sql-name", placeholder: "name to save as", "aria-label": "Saved query name" }) as HTMLInputElement;
    const saveButton = h("button", { type: "button", id: "sql-save" }, "Save") as HTMLButtonElement;
    const state = h("p", { class: "hint", id: "sql-state", role: "status" }, "Ctrl+Enter runs the query.");
    editorPanel.body.append(editor, h("div", { class: "toolbar" }, runButton, cancelButton, nameInput, saveButton), state);

    const resultPanel = panel("Result", { wide: true, id: "sql-result" });
    const pager = h("div", { class: "toolbar" });
    const resultTable = h("div", { id: "sql-table" });
    const chartKind = h("select", { id: "sql-chart-kind", "aria-label": "Chart type" }, h("option", { value: "bar" }, "bar chart"), h("option", { value: "line" }, "line chart")) as HTMLSelectElement;
    const chartHint = h("p", { class: "hint" });
    const resultBox = chartBox();
    resultPanel.body.append(pager, resultTable, h("div", { class: "toolbar" }, chartKind, chartHint), resultBox);
    const resultChart = scope.chart(resultBox);

    const saved = panel("Saved queries");
    const tables = panel("Tables");
    root.append(editorPanel.root, resultPanel.root, saved.root, tables.root);

    let running: string | undefined;
    let page: ResultPage | undefined;
    /** next tokens of the pages seen so far: tokens[i] fetches page i (undefined for the first) */
    let tokens: Array<string | undefined> = [undefined];
    let pageIndex = 0;
    let executionId: string | undefined;

    const setRunning = (id: string | undefined) => {
      running = id;
      runButton.disabled = id !== undefined;
      cancelButton.disabled = id === undefined;
    };

    const renderPage = () => {
      if (!page) return;
      const first = pageIndex * SQL_PAGE_ROWS;
      const prev = h("button", { type: "button", id: "sql-prev", disabled: pageIndex === 0 }, "‹ Previous") as HTMLButtonElement;
      const next = h("button", { type: "button", id: "sql-next", disabled: page.nextToken === undefined }, "Next ›") as HTMLButtonElement;
      prev.addEventListener("click", () => void loadPage(pageIndex - 1));
      next.addEventListener("click", () => void loadPage(pageIndex + 1));
      pager.replaceChildren(
        prev,
        next,
        h("span", { class: "hint", id: "sql-range" }, page.rowCount === 0 ? "no rows" : `rows ${fmt.int(first + 1)}–${fmt.int(first + page.rows.length)} of ${fmt.int(page.rowCount)}`),
      );
      const columns = page.columns;
      resultTable.replaceChildren(
        table(
          columns.map((column, i) => ({ label: column.name, value: (row: unknown[]) => show(row[i]), numeric: NUMERIC_TYPE.test(column.type) })),
          page.rows,
          { empty: "no rows" },
        ),
      );
      renderChart();
    };

    const renderChart = () => {
      const picked = page && chartColumns(page.columns);
      if (!page || !picked) {
        chartHint.textContent = "A chart needs a text column and a numeric column.";
        resultBox.hidden = true;
        return;
      }
      resultBox.hidden = false;
      chartHint.textContent = `${page.columns[picked.value]!.name} by ${page.columns[picked.label]!.name}, this page`;
      resultChart.set({
        grid: GRID,
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: page.rows.map((row) => show(row[picked.label])) },
        yAxis: { type: "value" },
        series: [{ name: page.columns[picked.value]!.name, type: chartKind.value, showSymbol: false, data: page.rows.map((row) => (typeof row[picked.value] === "number" ? row[picked.value] : Number(row[picked.value]))) }],
      });
    };
    chartKind.addEventListener("change", renderChart);

    const loadPage = async (index: number) => {
      if (!executionId || index < 0 || index >= tokens.length) return;
      const token = tokens[index];
      const query = new URLSearchParams({ maxResults: String(SQL_PAGE_ROWS), ...(token !== undefined && { nextToken: token }) });
      page = await getJson<ResultPage>(`/v1/queries/${executionId}/results?${query}`);
      pageIndex = index;
      if (page.nextToken !== undefined) tokens[index + 1] = page.nextToken;
      renderPage();
    };

    const run = async () => {
      if (running) return;
      const sql = editor.value.trim();
      if (sql === "") return;
      sessionStorage.setItem("shopstream.sql", editor.value);
      try {
        const started = await postJson<{ queryExecutionId: string }>("/v1/queries", { sql });
        setRunning(started.queryExecutionId);
        state.textContent = "QUEUED…";
        let execution: QueryExecution;
        for (;;) {
          execution = await getJson<QueryExecution>(`/v1/queries/${started.queryExecutionId}`);
          state.textContent = `${execution.state}…`;
          if (execution.state === "SUCCEEDED" || execution.state === "FAILED" || execution.state === "CANCELLED") break;
          await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
        }
        const stats = execution.statistics;
        if (execution.state === "SUCCEEDED") {
          state.textContent = `SUCCEEDED · ${fmt.int(stats.resultRowCount ?? 0)} rows in ${fmt.ms(stats.totalExecutionTimeMs ?? 0)}`;
          executionId = execution.queryExecutionId;
          tokens = [undefined];
          await loadPage(0);
        } else {
          state.textContent = `${execution.state}: ${execution.error?.message ?? execution.stateChangeReason ?? ""}`;
        }
        state.dataset["state"] = execution.state;
      } catch (error) {
        state.textContent = `Could not run: ${error instanceof Error ? error.message : String(error)}`;
        state.dataset["state"] = "ERROR";
      } finally {
        setRunning(undefined);
      }
    };

    runButton.addEventListener("click", () => void run());
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void run();
      }
    });
    cancelButton.addEventListener("click", () => {
      if (running) void deleteJson(`/v1/queries/${running}`).catch(() => undefined);
    });

    const loadSaved = () =>
      saved.load(async () => {
        const { namedQueries } = await getJson<NamedQueryList>("/v1/named-queries?maxResults=50");
        saved.body.replaceChildren(
          namedQueries.length === 0
            ? h("p", { class: "hint" }, "No saved queries yet: name the query above and press Save.")
            : h(
                "ul",
                { class: "saved" },
                ...namedQueries.map((query) => {
                  const button = h("button", { type: "button", "data-named-query": query.name, title: query.description ?? "" }, query.name, h("span", { class: "sql-preview" }, query.sql));
                  button.addEventListener("click", () => {
                    editor.value = query.sql;
                    nameInput.value = query.name;
                    editor.focus();
                  });
                  return h("li", {}, button);
                }),
              ),
        );
      });

    saveButton.addEventListener("click", () => {
      const name = nameInput.value.trim();
      if (name === "") {
        state.textContent = "Name the query to save it.";
        nameInput.focus();
        return;
      }
      void postJson("/v1/named-queries", { name, sql: editor.value.trim() })
        .then(() => {
          state.textContent = `Saved as "${name}".`;
          return loadSaved();
        })
        .catch((error: unknown) => (state.textContent = `Could not save: ${error instanceof Error ? error.message : String(error)}`));
    });

    const loadTables = () =>
      tables.load(async () => {
        const list = await getJson<{ tables: TableInfo[] }>("/v1/tables");
        tables.body.replaceChildren(
          table(
            [
              {
                label: "Table",
                value: (info) => {
                  const button = h("button", { type: "button", title: "Query it" }, info.name);
                  button.addEventListener("click", () => {
                    editor.value = `SELECT *\nFROM ${info.name}\nLIMIT 100`;
                    editor.focus();
                  });
                  return button;
                },
              },
              { label: "Source", value: (info) => info.source },
              { label: "Columns", value: (info) => fmt.int(info.columns.length), numeric: true },
            ],
            list.tables,
          ),
        );
      });

    return {
      async refresh() {
        await Promise.all([loadSaved(), loadTables()]);
      },
    };
  },
};
