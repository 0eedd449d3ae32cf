import { readFileSync } from 'node:fs';
import { FaultPlanError, parseCompactFaultPlan, parseFaultPlan, type FaultPlan } from '../model/faultPlan';

/**
 * Reads `--faults`: the compact syntax (`throttle=0.05,seed=7`, or `none`), or else the path
 * of a JSON plan file. Answers the plan, or the error to print (naming the field or the file).
 */
export function readFaultsOption(value: string): FaultPlan | string {
  try {
    if (value.includes('=') || value.trim() === 'none') return parseCompactFaultPlan(value);
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      return `--faults: "${value}" is neither a plan (kind=rate,…) nor a readable JSON file (${err instanceof Error ? err.message : String(err)}).`;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return `--faults: ${value} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    }
    return parseFaultPlan(raw);
  } catch (err) {
    if (err instanceof FaultPlanError) return `--faults: ${err.message}`;
    throw err;
  }
}
