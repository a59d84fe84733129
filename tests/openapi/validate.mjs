// Validates an OpenAPI document with @apidevtools/swagger-parser (pinned in package-lock.json):
// the OpenAPI 3.1 JSON Schema, then every $ref resolved. Exit 0 valid, 1 invalid, 77 skipped.
// usage: node validate.mjs FILE
import { readFileSync } from "node:fs";

let SwaggerParser;
try {
    ({ default: SwaggerParser } = await import("@apidevtools/swagger-parser"));
} catch {
    console.log("SKIP: run `npm ci` in tests/openapi to install the validator");
    process.exit(77);
}

const document = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (document.openapi !== "3.1.0") {
    console.error(`expected openapi 3.1.0, got ${document.openapi}`);
    process.exit(1);
}
try {
    const api = await SwaggerParser.validate(structuredClone(document));
    console.log(`valid: ${api.info.title} ${api.info.version}, ${Object.keys(api.paths).length} paths`);
} catch (failure) {
    console.error(`invalid: ${failure.message}`);
    process.exit(1);
}
