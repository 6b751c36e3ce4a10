/** The file in a stage folder recording the fingerprint the stage was (last) started with. */
export const FINGERPRINT_FILE = 'fingerprint.json';
