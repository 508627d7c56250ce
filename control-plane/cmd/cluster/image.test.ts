import { describe, expect, it } from 'vitest';
import { nodeImageTag } from './image.js';

describe('nodeImageTag', () => {
  it('names the image after the build script, so that a changed recipe gets a new image', () => {
    const a = nodeImageTag('#!/bin/sh\necho a\n');
    expect(a).toMatch(/^tugboat\/node:[0-9a-f]{12}$/);
    expect(nodeImageTag('#!/bin/sh\necho a\n')).toBe(a);
    expect(nodeImageTag('#!/bin/sh\necho b\n')).not.toBe(a);
  });
});
