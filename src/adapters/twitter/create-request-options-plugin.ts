import type { AsyncLocalStorage } from 'node:async_hooks';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';

export interface RequestOptionsPluginOptions {
  /**
   * Origin (and optional path prefix) that replaces api.x.com / upload.x.com on every request, e.g.
   * `http://127.0.0.1:8787` for the loopback fake. twitter-api-v2 hard-codes its base URLs, so the only
   * seam is this hook, which runs after the URL is built (and signed) and before the socket opens.
   */
  readonly apiRoot?: URL;
  /** Idle-socket timeout handed to the library's own request options. */
  readonly timeoutMs: number;
  /**
   * The caller's AbortSignal for the request in flight. The library has no per-call signal option, so
   * the publisher runs each call inside this storage and the hook copies the signal onto the request.
   */
  readonly signals: AsyncLocalStorage<AbortSignal | undefined>;
}

/** One plugin carries every per-request option we need: timeout, cancellation and the API root. */
export function createRequestOptionsPlugin(options: RequestOptionsPluginOptions): ITwitterApiClientPlugin {
  const { apiRoot } = options;
  const prefix = apiRoot === undefined ? '' : apiRoot.pathname.replace(/\/+$/, '');
  return {
    onBeforeRequest({ computedParams, requestOptions }) {
      requestOptions.timeout = options.timeoutMs;
      const signal = options.signals.getStore();
      if (signal !== undefined) requestOptions.signal = signal;
      if (apiRoot === undefined) return;
      const url = computedParams.url;
      url.protocol = apiRoot.protocol;
      url.host = apiRoot.host;
      if (prefix !== '') url.pathname = `${prefix}${url.pathname}`;
    },
  };
}
