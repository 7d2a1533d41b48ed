export * from './metadata.ts';
export * from './record.ts';
export { sideBySide, baseName } from './compose.ts';
export type { EmbeddedMetadata, SourceMetadata } from './types.ts';
