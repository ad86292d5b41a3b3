// Types for node-version.js, which stays plain JavaScript so that any Node can load it.
export declare const MINIMUM: string;
export declare function tooOld(version: string): string | undefined;
