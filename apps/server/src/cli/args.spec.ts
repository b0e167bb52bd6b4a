import { parseArgs } from './args.js';

describe('parseArgs', () => {
  it('reads --name value and --name=value', () => {
    expect(parseArgs(['--login', 'li', '--display-name=李四'], ['login', 'display-name'])).toEqual({
      login: 'li',
      'display-name': '李四',
    });
  });

  it('rejects unknown options, stray arguments and missing values', () => {
    expect(() => parseArgs(['--nope', 'x'], ['login'])).toThrow(/Unknown option --nope/);
    expect(() => parseArgs(['stray'], ['login'])).toThrow(/Unexpected argument/);
    expect(() => parseArgs(['--login'], ['login'])).toThrow(/needs a value/);
  });
});
