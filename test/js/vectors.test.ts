import { clientValidator } from '../vectors/client-validator.js';
import { runVectorSuite } from '../vectors/runner.js';

runVectorSuite('GopherAuthClient, JS backend', clientValidator('js'), { answeredBy: 'js' });
