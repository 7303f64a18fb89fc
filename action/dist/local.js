import{createRequire as __toolsealRequire}from'node:module';const require=__toolsealRequire(import.meta.url);
import{a as o}from"./chunks/chunk-WY5OT2D5.js";import"./chunks/chunk-2G2BA2ES.js";async function n(){await o(process.env)}export{n as run};
