import { describe, expect, it } from 'vitest';
import { decodeFeed, parseFeedDate, parseFeedItems } from '../../src/adapters/feeds/parse-feed.js';
import { canonicalUrl } from '../../src/domain/canonical-url.js';
import { passesFilter } from '../../src/domain/feed-item.js';

describe('canonicalUrl', () => {
  it.each([
    ['HTTPS://News.Example:443/a/b/?utm_source=x&utm_medium=y#top', 'https://news.example/a/b'],
    ['https://news.example/a?id=2&fbclid=F&gclid=G&mc_cid=1&mc_eid=2', 'https://news.example/a?id=2'],
    ['https://news.example/', 'https://news.example/'],
    ['https://news.example/a?b=2&a=1', 'https://news.example/a?b=2&a=1'], // order kept, not sorted
    ['https://news.example/a?ref=home', 'https://news.example/a?ref=home'], // ref may select content
    ['http://news.example:8080/x//', 'http://news.example:8080/x'],
  ])('%s -> %s', (raw, expected) => {
    expect(canonicalUrl(raw)).toBe(expected);
  });
  it('refuses what is not http(s)', () => {
    expect(canonicalUrl('javascript:alert(1)')).toBeUndefined();
    expect(canonicalUrl('not a url')).toBeUndefined();
  });
});

describe('feed mapping', () => {
  const doc = 'https://feeds.example/news/rss.xml';
  it('RSS: relative links against the channel link, guid a link only when a permalink', () => {
    const [a, b] = parseFeedItems(
      `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
       <title>T</title><link>https://www.news.example/</link><description>d</description>
       <item><title>One &amp; two</title><link>/story-1</link><guid isPermaLink="false">abc-1</guid>
         <pubDate>Tue, 03 Feb 2026 10:00:00 GMT</pubDate><content:encoded><![CDATA[<p>Body</p>]]></content:encoded></item>
       <item><title>Two</title><guid>https://www.news.example/story-2</guid><pubDate>2026-02-03 10:00:00</pubDate>
         <description>Teaser</description></item>
       </channel></rss>`,
      doc,
    );
    expect(a).toMatchObject({
      id: 'abc-1',
      url: 'https://www.news.example/story-1',
      title: 'One & two',
      contentHtml: '<p>Body</p>',
    });
    expect(a!.published?.toISOString()).toBe('2026-02-03T10:00:00.000Z');
    expect(b).toMatchObject({
      id: 'https://www.news.example/story-2',
      url: 'https://www.news.example/story-2',
      summary: 'Teaser',
    });
    expect(b!.contentHtml).toBeUndefined();
    expect(b!.published).toBeUndefined(); // no time zone: not read in local time
  });
  it('Atom: xml:base, text content escaped, out-of-line content ignored', () => {
    const [a, b] = parseFeedItems(
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/blog/">
       <title>T</title><id>urn:t</id><updated>2026-01-01T00:00:00Z</updated>
       <entry><id>urn:1</id><title>A</title><link href="post-1"/><updated>2026-01-02T00:00:00Z</updated>
         <content type="text">1 &lt; 2 &amp; &lt;b&gt;</content></entry>
       <entry><id>urn:2</id><title type="html">&lt;b&gt;B&lt;/b&gt;</title><link rel="alternate" href="/post-2"/>
         <updated>2026-01-02T00:00:00Z</updated><content src="https://elsewhere.example/x"/><summary>S</summary></entry>
       </feed>`,
      doc,
    );
    expect(a).toMatchObject({
      url: 'https://news.example/blog/post-1',
      contentHtml: '1 &lt; 2 &amp; &lt;b&gt;',
    });
    expect(b).toMatchObject({ title: 'B', url: 'https://news.example/post-2', summary: 'S' });
    expect(b!.contentHtml).toBeUndefined();
  });
  it('JSON Feed: content_text escaped, tags as categories', () => {
    const [a] = parseFeedItems(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'T',
        items: [
          {
            id: 7,
            url: '/a',
            content_text: 'x < y',
            tags: ['Sport'],
            date_published: '2026-01-01T00:00:00+01:00',
          },
        ],
      }),
      'https://news.example/feed.json',
    );
    expect(a).toMatchObject({
      id: '7',
      url: 'https://news.example/a',
      contentHtml: '<p>x &lt; y</p>',
      categories: ['Sport'],
    });
    expect(passesFilter(a!, { include: [], exclude: ['sport'], categories: [] })).toBe(false);
    expect(passesFilter(a!, { include: ['spo'], exclude: [], categories: [] })).toBe(false); // whole words
  });
  it('an HTML page is not a feed', () => {
    expect(() => parseFeedItems('<!doctype html><html><body>hi</body></html>', doc)).toThrow(/not a feed/);
  });
  it('decodes by BOM, Content-Type charset, then the XML declaration', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><x>caf\xe9</x>', 'latin1');
    expect(decodeFeed(latin1, 'application/xml')).toContain('café');
    expect(decodeFeed(Buffer.from('\ufeff<x>é</x>', 'utf8'), 'text/xml; charset=iso-8859-1')).toBe(
      '<x>é</x>',
    );
    expect(parseFeedDate('2026-01-01T00:00:00')).toBeUndefined();
  });
});
