import { sql, type SQL } from 'drizzle-orm';
import { queryRows, renderStatement, type Db } from '../src/db/client.js';

/*
 * A plan checker for statements that must cost what their answer costs: a page of a list, however
 * long the list. It runs EXPLAIN (ANALYZE) on the real database (PGlite or Postgres: same output)
 * and counts the rows each step of the plan actually touched. Rows, never time: a slow machine
 * does not fail it, and a plan that reads 10,000 rows to return 51 fails on any machine.
 *
 *   const report = await expectBoundedPlan(db, statement, { perPage: 10 });
 *
 * fails (throws, printing the plan) when any step reads more rows than
 *
 *   returns + pages × perPage
 *
 * where `returns` is what the statement answers (by default the rows it returns), `pages` how many
 * pages it serves (one per parent for a batched statement; default 1), and `perPage` what a page
 * may read on top of its own rows: the extra row that tells whether another page follows, the
 * cursor's lookup, a few rows a filter skips. A step "reads" the rows it emits over all its loops
 * (Actual Rows × Actual Loops) plus, for scans and joins, those its filters threw away.
 *
 * Use it on data where the difference shows: a list far longer than a page (see test/skewed.ts),
 * with fresh statistics (ANALYZE), so that the planner chooses as it would in production. A step
 * that reads a small table whole counts like any other (the planner hashes 50 authors rather than
 * probe them 51 times; with 1,000 it still does): give the fixture's tables production's sizes,
 * and take such a failure as news about the plan, not noise. The statement runs with the
 * parameters it carries (the custom plan Postgres makes for those values, as for a statement's
 * first executions), inside a transaction that is rolled back, so even a write leaves nothing.
 */

export interface PlanBudget {
  /** Rows each page may read beyond the rows the statement returns. */
  perPage: number;
  /** Pages the statement serves: a batched statement serves one per parent. Default 1. */
  pages?: number;
  /**
   * What the statement answers, when that is not its row count: a statement that returns one row
   * of JSON holding 500 comments returns 500. Default: the rows the statement returned.
   */
  returns?: number;
}

/** One step of an EXPLAIN (FORMAT JSON) plan, as Postgres names its fields. */
export interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Relation Name'?: string;
  'Index Name'?: string;
  Alias?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Rows Removed by Join Filter'?: number;
  Plans?: PlanNode[];
  [field: string]: unknown;
}

export interface PlanReport {
  /** The plan's top step. */
  plan: PlanNode;
  /** Rows the statement returned. */
  returned: number;
  /** The most rows any one step read, and the most it was allowed. */
  maxRead: number;
  budget: number;
  /** The plan as text, each step with the rows it read (what a failure prints). */
  text: string;
}

/** Runs EXPLAIN (ANALYZE) for `statement` and fails unless every step reads within the budget. */
export async function expectBoundedPlan(db: Db, statement: SQL, budget: PlanBudget): Promise<PlanReport> {
  const report = await explainRows(db, statement, budget);
  if (report.maxRead > report.budget) {
    throw new Error(
      `A step of the plan read ${report.maxRead} rows; the budget is ${report.budget} ` +
        `(${budget.returns ?? report.returned} returned + ${budget.pages ?? 1} page(s) × ${budget.perPage}).\n` +
        `${report.text}\nStatement:\n${renderStatement(statement).sql.trim()}`,
    );
  }
  return report;
}

/** The plan of `statement` with the rows each step read, without judging it. */
export async function explainRows(db: Db, statement: SQL, budget: PlanBudget): Promise<PlanReport> {
  const plan = await explain(db, statement);
  const returned = plan['Actual Rows'] * plan['Actual Loops'];
  const allowed = (budget.returns ?? returned) + (budget.pages ?? 1) * budget.perPage;
  const nodes = flatten(plan);
  const maxRead = Math.max(...nodes.map(({ node }) => rowsRead(node)));
  const text = nodes
    .map(({ node, depth }) => {
      const read = rowsRead(node);
      return `${'  '.repeat(depth)}${describe(node)}  [read ${read}]${read > allowed ? '  <-- over budget' : ''}`;
    })
    .join('\n');
  return { plan, returned, maxRead, budget: allowed, text };
}

/** Rows a step read: those it emitted and those its filters removed, over all its loops. */
export function rowsRead(node: PlanNode): number {
  // EXPLAIN prints rows and removed rows per loop (averaged); loops multiply them back.
  const removed =
    (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0) + (node['Rows Removed by Join Filter'] ?? 0);
  return Math.round((node['Actual Rows'] + removed) * node['Actual Loops']);
}

class Rollback extends Error {}

async function explain(db: Db, statement: SQL): Promise<PlanNode> {
  let rows: Record<string, unknown>[] = [];
  // Timing off: only rows matter here, and timing every row costs time on big plans.
  const query = sql`explain (analyze, timing off, format json) ${statement}`;
  await db
    .transaction(async (tx) => {
      rows = await queryRows<Record<string, unknown>>(tx, query);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  // One row, one column: a JSON array holding one object with the plan (parsed or not, by driver).
  const value = Object.values(rows[0]!)[0];
  const parsed = (typeof value === 'string' ? JSON.parse(value) : value) as { Plan: PlanNode }[];
  return parsed[0]!.Plan;
}

function flatten(node: PlanNode, depth = 0): { node: PlanNode; depth: number }[] {
  return [{ node, depth }, ...(node.Plans ?? []).flatMap((child) => flatten(child, depth + 1))];
}

/** A step as EXPLAIN's text format shows it, with its conditions and actual rows. */
function describe(node: PlanNode): string {
  const parts = [node['Subplan Name'] ? `${node['Subplan Name']}: ` : '', node['Node Type']];
  if (node['Index Name']) parts.push(` using ${node['Index Name']}`);
  if (node['Relation Name']) parts.push(` on ${node['Relation Name']}${node.Alias && node.Alias !== node['Relation Name'] ? ` ${node.Alias}` : ''}`);
  parts.push(`  (rows=${node['Actual Rows']} loops=${node['Actual Loops']})`);
  for (const key of ['Index Cond', 'Recheck Cond', 'Hash Cond', 'Join Filter', 'Filter', 'Sort Key', 'Rows Removed by Filter']) {
    const value = node[key];
    if (value !== undefined) parts.push(`  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  return parts.join('');
}
