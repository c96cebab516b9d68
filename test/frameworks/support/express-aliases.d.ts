// Types for the npm aliases express4/express5: both majors are typed with @types/express 5; the tests use
// the API the two share.

declare module 'express4' {
  import express = require('express');
  export = express;
}

declare module 'express5' {
  import express = require('express');
  export = express;
}
