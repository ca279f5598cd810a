/** One thing wrong (or doubtful) with a package, located as precisely as it can be. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** the file (`users.csv`), or `package` for the package as a whole */
  readonly file: string;
  /** 1-based line in the file; absent for whole-file problems */
  readonly line?: number;
  readonly column?: string;
  readonly value?: string;
  /** stable rule name, e.g. `date-format`, `unknown-reference` */
  readonly rule: string;
  readonly message: string;
}

/** What a job reports: the problems kept (capped) and the true totals. */
export interface ProblemReport {
  readonly errors: Problem[];
  readonly warnings: Problem[];
  readonly totals: {
    errors: number;
    warnings: number;
    /** `<file>:<rule>` → count (every problem, kept or not) */
    byRule: Record<string, number>;
  };
  /** true when problems beyond the cap were counted but not listed */
  readonly truncated: boolean;
}

const MAX_VALUE_LENGTH = 200;

/**
 * Collects problems: every one is counted, at most `cap` of each severity are kept (and at most
 * `perRuleCap` per file and rule, so that one systematic mistake does not hide all others).
 * `strict` turns warnings into errors.
 */
export class ProblemCollector {
  readonly #errors: Problem[] = [];
  readonly #warnings: Problem[] = [];
  readonly #byRule: Record<string, number> = {};
  #errorCount = 0;
  #warningCount = 0;
  #truncated = false;

  constructor(
    private readonly strict: boolean,
    private readonly cap = 1000,
    private readonly perRuleCap = 100,
  ) {}

  error(problem: Omit<Problem, 'severity'>): void {
    this.#add({ ...problem, severity: 'error' });
  }

  /** Something forgivable: an error under --strict. */
  warning(problem: Omit<Problem, 'severity'>): void {
    this.#add({ ...problem, severity: this.strict ? 'error' : 'warning' });
  }

  /**
   * Counts `count` more errors of a rule that a check found but did not list (a SQL check
   * returns its first rows and the total).
   */
  uncountedErrors(file: string, rule: string, count: number): void {
    if (count <= 0) return;
    const key = `${file}:${rule}`;
    this.#byRule[key] = (this.#byRule[key] ?? 0) + count;
    this.#errorCount += count;
    this.#truncated = true;
  }

  get errorCount(): number {
    return this.#errorCount;
  }

  get warningCount(): number {
    return this.#warningCount;
  }

  #add(problem: Problem): void {
    const key = `${problem.file}:${problem.rule}`;
    const seen = (this.#byRule[key] ?? 0) + 1;
    this.#byRule[key] = seen;
    const list = problem.severity === 'error' ? this.#errors : this.#warnings;
    if (problem.severity === 'error') this.#errorCount += 1;
    else this.#warningCount += 1;
    if (list.length >= this.cap || seen > this.perRuleCap) {
      this.#truncated = true;
      return;
    }
    const value =
      problem.value !== undefined && problem.value.length > MAX_VALUE_LENGTH
        ? `${problem.value.slice(0, MAX_VALUE_LENGTH)}…`
        : problem.value;
    list.push(value === undefined ? problem : { ...problem, value });
  }

  report(): ProblemReport {
    const order = (a: Problem, b: Problem): number =>
      a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1;
    return {
      errors: [...this.#errors].sort(order),
      warnings: [...this.#warnings].sort(order),
      totals: { errors: this.#errorCount, warnings: this.#warningCount, byRule: { ...this.#byRule } },
      truncated: this.#truncated,
    };
  }
}
