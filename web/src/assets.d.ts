/** Binary files bundled by esbuild's base64 loader (build.mjs, test/run.mjs). */
declare module '*.bin' {
  const base64: string;
  export default base64;
}
