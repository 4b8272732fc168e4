// Small DOM helpers shared by the pages: element building, tables, notices, number formats.
import { NotAvailableError } from "./api.js";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Builds an element: `h("td", { class: "num" }, "42")`. Attributes starting with "on" are listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(typeof child === "number" ? String(child) : child);
  return element;
}

export interface Column<Row> {
  label: string;
  value: (row: Row) => Child;
  /** right-aligned, tabular figures */
  numeric?: boolean;
}

/** A table of `rows`; `empty` shows in place of the body when there are none. */
export function table<Row>(columns: Column<Row>[], rows: Row[], options: { empty?: string; rowAttrs?: (row: Row) => Attrs } = {}): HTMLElement {
  const head = h("tr", {}, ...columns.map((column) => h("th", { class: column.numeric ? "num" : undefined }, column.label)));
  const body =
    rows.length === 0
      ? [h("tr", {}, h("td", { class: "empty", colspan: columns.length }, options.empty ?? "nothing yet"))]
      : rows.map((row) => h("tr", options.rowAttrs?.(row) ?? {}, ...columns.map((column) => h("td", { class: column.numeric ? "num" : undefined }, column.value(row)))));
  return h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), h("tbody", {}, ...body)));
}

/** A titled card; `body` is filled by the page. */
export function card(title: string, options: { id?: string; wide?: boolean; actions?: Node } = {}): { root: HTMLElement; body: HTMLElement } {
  const body = h("div", { class: "card-body" });
  const root = h("section", { class: options.wide ? "card wide" : "card", id: options.id }, h("header", {}, h("h2", {}, title), options.actions ?? null), body);
  return { root, body };
}

/** A figure with its label: `data-kpi` names it for tests and people's tools. */
export function figure(label: string, kpi: string): { root: HTMLElement; set: (text: string) => void } {
  const value = h("div", { class: "value", "data-kpi": kpi }, "–");
  return { root: h("div", { class: "figure" }, h("div", { class: "label" }, label), value), set: (text) => (value.textContent = text) };
}

/** Replaces `target`'s content with a notice for `error`: "not available" for a missing API, the message otherwise. */
export function showProblem(target: HTMLElement, error: unknown): void {
  const text = error instanceof NotAvailableError ? `Not available: this server does not provide ${error.api} yet.` : `Could not load: ${error instanceof Error ? error.message : String(error)}`;
  target.replaceChildren(h("p", { class: error instanceof NotAvailableError ? "notice" : "notice error", role: "status" }, text));
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const currency = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

export const fmt = {
  int: (n: number | null | undefined) => (n === null || n === undefined ? "–" : integer.format(n)),
  num: (n: number | null | undefined) => (n === null || n === undefined ? "–" : decimal.format(n)),
  money: (n: number | null | undefined) => (n === null || n === undefined ? "–" : currency.format(n)),
  pct: (n: number | null | undefined) => (n === null || n === undefined ? "–" : percent.format(n)),
  time: (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString("en-GB", { timeZone: "UTC" }) : "–"),
  dateTime: (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) : "–"),
  ms: (ms: number | null | undefined) => (ms === null || ms === undefined ? "–" : ms < 1000 ? `${integer.format(ms)} ms` : ms < 120_000 ? `${decimal.format(ms / 1000)} s` : `${decimal.format(ms / 60_000)} min`),
};
