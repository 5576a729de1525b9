/**
 * @hookport/sdk: the typed client. Generated types and the client land with
 * the SDK issue; this is the package skeleton.
 */
export const sdkVersion = '0.1.0';
