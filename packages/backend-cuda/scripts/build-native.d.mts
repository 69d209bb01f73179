// Types of the helpers build-native.mjs exports (the package test imports findNvcc).
export declare function findNvcc(env?: NodeJS.ProcessEnv): string | undefined;
export declare function findNodeInclude(env?: NodeJS.ProcessEnv): string | undefined;
