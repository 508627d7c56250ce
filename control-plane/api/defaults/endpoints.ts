/** Endpoints and EndpointSlice port defaults: protocol TCP (and an empty slice port name). */
import { eachObject, setDefault } from './fields.js';

export function defaultEndpoints(obj: any): void {
  eachObject(obj, 'subsets', (subset) => eachObject(subset, 'ports', (p) => setDefault(p, 'protocol', 'TCP')));
}

export function defaultEndpointSlice(obj: any): void {
  eachObject(obj, 'ports', (p) => {
    setDefault(p, 'name', '');
    setDefault(p, 'protocol', 'TCP');
  });
}
