import { TouchpointError } from './errors.ts';

/** One problem with a request body, in the shape of `TP_ERR_VALIDATION` details. */
export interface Issue {
  readonly in: 'body';
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export class Issues {
  readonly list: Issue[] = [];
  /** Records a problem; answers undefined so a checker can `return issues.add(…)`. */
  add(path: string, rule: string, message: string): undefined {
    this.list.push({ in: 'body', path, rule, message });
    return undefined;
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0] as Issue;
    throw new TouchpointError(
      'TP_ERR_VALIDATION',
      { issues: this.list },
      { message: `body${first.path} ${first.message}` },
    );
  }
}
