/** Usage lines, kept apart from the commands so `help` loads none of them. */
export const PUBLISH_USAGE =
  'publish FILE|URL|- [--to a,b] [--mode quotes|thread] [--dry-run] [--yes] [--resume] [--force] [--max-wait SECONDS]';
export const SPLIT_USAGE =
  'split [FILE|-] --platform twitter|telegram [--mode quotes|thread] [--format json|text] [--channel ID] [--target N] [--url URL] [--author NAME] [--input-format auto|text|markdown|html]';
export const ADD_USAGE =
  'add FILE|URL|- [--channels a,b] [--mode quotes|thread] [--force] [--url URL] [--author NAME]';
export const RESOLVE_USAGE = 'resolve POST_ID (--sent [--remote-id ID|LINK] | --resend)';
export const KILL_USAGE = 'kill ARTICLE [--yes]';
export const ARTICLE_USAGE = 'article ARTICLE [--format json|text]';
export const MIGRATE_STORE_USAGE = 'migrate-store --from sqlite --to postgres [--sqlite PATH] [--url URL]';
export const FEEDS_USAGE = 'feeds list | feeds poll [ID] [--dry-run] [--format json|text]';
