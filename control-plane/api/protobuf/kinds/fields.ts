/**
 * Shorthands for writing message schemas as data: a plain field, a repeated one, a pointer
 * (`optional`) one, one JSON always writes, and an inlined embedded struct.
 */
import type { FieldSpec, FieldType, MessageSchema } from '../schema.js';

/** A non-pointer field: a zero scalar is left out. */
export const f = (name: string, type: FieldType): FieldSpec => ({ name, type });
/** A repeated field (a Go slice). */
export const list = (name: string, type: FieldType): FieldSpec => ({ name, type, repeated: true });
/** A pointer field upstream: present means set, even when zero. */
export const pointer = (name: string, type: FieldType): FieldSpec => ({ name, type, optional: true });
/** A non-pointer scalar without `omitempty` in its JSON tag: its zero value is kept. */
export const always = (name: string, type: FieldType): FieldSpec => ({ name, type, always: true });
/** An embedded struct whose fields JSON inlines into the enclosing object. */
export const inline = (name: string, type: MessageSchema): FieldSpec => ({ name, type, inline: true });
export const message = (fields: Record<number, FieldSpec>): MessageSchema => ({ fields });
