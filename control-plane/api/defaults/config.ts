/**
 * Secret defaults: type Opaque, and `stringData` merged into `data` (base64, overriding keys of the
 * same name) and dropped, as upstream's conversion does before anything is stored.
 */
import { child, isObject, setDefault } from './fields.js';

export function defaultSecret(obj: any): void {
  if (!isObject(obj)) return;
  setDefault(obj, 'type', 'Opaque');
  if (isObject(obj.stringData)) {
    const data = child(obj, 'data');
    if (data) {
      for (const [key, value] of Object.entries(obj.stringData)) data[key] = Buffer.from(String(value ?? ''), 'utf8').toString('base64');
    }
  }
  delete obj.stringData;
}
