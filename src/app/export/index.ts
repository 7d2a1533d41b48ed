export * from './metadata.ts';
export * from './record.ts';
export { sideBySide, baseName } from './side-by-side.ts';
export type { EmbeddedMetadata, SourceMetadata } from './types.ts';
