import { validateMeasurepoints, validateServiceInput, type ThingModel } from '../../../shared/model/thing-model';
import type { ValidationOutcome } from '../forms/contract-form';
import { coerceParams, fieldErrorsFromViolations, intEnumOf, measurepointFields, paramFields, type FieldValue } from './param-fields';

type Values = Readonly<Record<string, FieldValue>>;

/** A service's input params from what its generated fields hold, checked by the shared validator. */
export function serviceParams(model: ThingModel, serviceId: string, values: Values): ValidationOutcome<Record<string, unknown>> {
  const inputs = model.services[serviceId]?.inputData ?? [];
  const coerced = coerceParams(paramFields(inputs), values, intEnumOf(inputs));
  if (!coerced.ok) return coerced;
  const violations = validateServiceInput(model, serviceId, coerced.value);
  return violations.length > 0 ? { ok: false, fieldErrors: fieldErrorsFromViolations(violations) } : coerced;
}

/**
 * The measurepoint values to set from what the fields hold, checked by the shared validator:
 * only the points filled in are sent, and at least one must be (else `nothing` is the form's error).
 */
export function measurepointsToSet(model: ThingModel, values: Values, nothing: string): ValidationOutcome<Record<string, unknown>> {
  const coerced = coerceParams(measurepointFields(model), values, intEnumOf(Object.values(model.measurepoints)));
  if (!coerced.ok) return coerced;
  if (Object.keys(coerced.value).length === 0) return { ok: false, fieldErrors: { '': nothing } };
  const violations = validateMeasurepoints(model, { measurepoints: coerced.value });
  return violations.length > 0 ? { ok: false, fieldErrors: fieldErrorsFromViolations(violations, '$.measurepoints') } : coerced;
}
