/**
 * authentication.k8s.io/v1 TokenReviews: the token to review is required (reviews are answered,
 * never stored).
 */
import type { FieldError } from '../status.js';
import { Path, required } from './field.js';
import { record } from './json.js';

export function validateTokenReview(obj: any): FieldError[] {
  const token = record(obj?.spec).token;
  return typeof token === 'string' && token !== '' ? [] : [required(Path.root('spec').child('token'))];
}
