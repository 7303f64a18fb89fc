import{createRequire as __toolsealRequire}from'node:module';const require=__toolsealRequire(import.meta.url);
<<<<<<< HEAD
import{a as o}from"./chunks/chunk-L4HFIBT6.js";import"./chunks/chunk-2G2BA2ES.js";async function n(){await o(process.env)}export{n as run};
=======
import{a as o}from"./chunks/chunk-JDLDHJ5I.js";import"./chunks/chunk-2G2BA2ES.js";async function n(){await o(process.env)}export{n as run};
>>>>>>> wip/field
