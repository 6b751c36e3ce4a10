/** The version of every stage contract in this release. A breaking change ships as `'v2'` beside `'v1'`. */
export type SpecificationVersion = 'v1';

/** The current contract version, for implementations: `readonly specificationVersion = SPECIFICATION_VERSION`. */
export const SPECIFICATION_VERSION: SpecificationVersion = 'v1';
