import{createRequire as __toolsealRequire}from'node:module';const require=__toolsealRequire(import.meta.url);
<<<<<<< HEAD
import{a as r}from"./chunks/chunk-L4HFIBT6.js";import"./chunks/chunk-2G2BA2ES.js";await r();
=======
import{a as r}from"./chunks/chunk-JDLDHJ5I.js";import"./chunks/chunk-2G2BA2ES.js";await r();
>>>>>>> wip/field
