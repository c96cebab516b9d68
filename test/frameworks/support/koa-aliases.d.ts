// Types for the npm aliases koa2/koa3: both majors are typed with @types/koa 3; the tests use the API the two
// share. (koa-body and @koa/router extend that same declaration.)

declare module 'koa2' {
  import Koa = require('koa');
  export default Koa;
}

declare module 'koa3' {
  import Koa = require('koa');
  export default Koa;
}
