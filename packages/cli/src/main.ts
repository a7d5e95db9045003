import * as c from "@dualtape/core"; console.log("ok", Object.keys(c));
