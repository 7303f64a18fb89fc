/** The toolseal version, recorded in outputs so a report says what produced it. */
export const TOOLSEAL_VERSION = '0.1.0';
