<?php

declare(strict_types=1);

namespace Nuvera\Signing\Guzzle;

use GuzzleHttp\Exception\RequestException;
use GuzzleHttp\Promise\Create;
use GuzzleHttp\Promise\PromiseInterface;
use GuzzleHttp\Psr7\Uri;
use GuzzleHttp\Psr7\Utils;
use GuzzleHttp\RequestOptions;
use Nuvera\Signing\Attempt;
use Nuvera\Signing\ClientPolicy;
use Nuvera\Signing\Exchange;
use Nuvera\Signing\Signer;
use Psr\Http\Message\RequestInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\StreamInterface;

/**
 * A Guzzle middleware that signs every request and follows contract §8 through the core's policy
 * (Nuvera\Signing\Exchange): redirects re-signed hop by hop (credentials dropped on a hop to
 * another origin, https→http refused), opt-in retries, and the clock corrected from `Date` after
 * a clock refusal. It asks the policy and carries out the answer; it decides nothing itself.
 *
 *     $stack = HandlerStack::create();
 *     $stack->push(SigningMiddleware::create($signer), 'nuvera_signing');
 *     $client = new Client(['handler' => $stack, 'base_uri' => 'https://api.nuvera.global']);
 *
 `push` puts it next to the handler, under Guzzle's own middleware: it signs the request as it
 * goes on the wire (base_uri, query, json, multipart, Content-Length and cookies applied) and
 * answers the layers above with the exchange's final response, so Guzzle's redirect middleware
 * never sees a redirect (no token is ever sent twice). Placed elsewhere it still works: the
 * layers under it get `allow_redirects => false` and `http_errors => false`, and it raises
 * Guzzle's own RequestException for a final 4xx/5xx when the caller's `http_errors` asks for it
 * (the default).
 */
final class SigningMiddleware
{
    public function __construct(
        private readonly Signer $signer,
        private readonly ClientPolicy $policy = new ClientPolicy(),
    ) {
    }

    /** The middleware for HandlerStack::push. */
    public static function create(Signer $signer, ?ClientPolicy $policy = null): self
    {
        return new self($signer, $policy ?? new ClientPolicy());
    }

    public function __invoke(callable $handler): callable
    {
        return function (RequestInterface $request, array $options) use ($handler): PromiseInterface {
            return $this->send($handler, $request, $options);
        };
    }

    /** @param array<string, mixed> $options */
    private function send(callable $handler, RequestInterface $request, array $options): PromiseInterface
    {
        $body = $request->getBody();
        if (!$body->isSeekable()) {
            $body = self::replayable($body);
            // Its length is known now: sent with a Content-Length like any other body.
            $request = $request->withoutHeader('Transfer-Encoding')->withHeader('Content-Length', (string) $body->getSize());
        }
        $hasBody = $body->getSize() !== 0;
        $exchange = new Exchange($this->policy, $request->getMethod(), (string) $request->getUri(), $hasBody, $this->signer);
        $original = $request->withBody($body);
        $inner = [RequestOptions::ALLOW_REDIRECTS => false, RequestOptions::HTTP_ERRORS => false] + $options;
        unset($inner[RequestOptions::DELAY]);
        $httpErrors = ($options[RequestOptions::HTTP_ERRORS] ?? true) !== false;

        $attempt = $exchange->first();
        $sendOne = function (Attempt $attempt) use (&$sendOne, $handler, $original, $exchange, $inner, $httpErrors, $options): PromiseInterface {
            $request = $this->prepare($original, $attempt);
            $sendOptions = $inner;
            if ($attempt->delayMs > 0) {
                $sendOptions[RequestOptions::DELAY] = $attempt->delayMs;
            } elseif ($attempt->reason === null && isset($options[RequestOptions::DELAY])) {
                $sendOptions[RequestOptions::DELAY] = $options[RequestOptions::DELAY];
            }
            $sentAt = self::nowMs();
            return $handler($request, $sendOptions)->then(
                function (ResponseInterface $response) use (&$sendOne, $request, $exchange, $sentAt, $httpErrors): mixed {
                    $receivedAt = self::nowMs();
                    $next = $exchange->onResponse(
                        $response->getStatusCode(),
                        $response->getHeaders(),
                        $response->getStatusCode() === 401 ? self::refusalBody($response) : '',
                        $sentAt,
                        $receivedAt,
                    );
                    if ($next !== null) {
                        return $sendOne($next);
                    }
                    if ($httpErrors && $response->getStatusCode() >= 400) {
                        throw RequestException::create($request, $response);
                    }
                    return $response;
                }
            );
        };
        // Keeps the exchange (its C handle) alive until the whole chain is settled.
        return $sendOne($attempt)->then(
            static function ($response) use ($exchange) {
                unset($exchange);
                return $response;
            }
        );
    }

    /** The request for one attempt: its method, URL, body or none, and the two headers or none. */
    private function prepare(RequestInterface $original, Attempt $attempt): RequestInterface
    {
        $request = $original
            ->withMethod($attempt->method)
            ->withUri(new Uri($attempt->url))
            ->withoutHeader('x-api-key')
            ->withoutHeader('Authorization');
        $body = $original->getBody();
        if (!$attempt->sendBody) {
            $request = $request->withBody(Utils::streamFor(''))
                ->withoutHeader('Content-Type')
                ->withoutHeader('Content-Length');
        } elseif ($body->isSeekable()) {
            $body->rewind();
        }
        if (!$attempt->credentials) {
            return $request;
        }
        $contentType = $attempt->sendBody ? ($request->getHeaderLine('Content-Type') ?: null) : null;
        if ($attempt->sendBody && $body->getSize() !== 0) {
            $signed = $this->signer->signReader(
                $attempt->method,
                $attempt->url,
                $contentType,
                static fn (int $max): string => $body->eof() ? '' : $body->read($max),
            );
            $body->rewind();
        } else {
            $signed = $this->signer->sign($attempt->method, $attempt->url);
        }
        foreach ($signed->headers() as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        return $request;
    }

    /**
     * A one-shot body read once into a php://temp copy (which moves to a temporary file past
     * 2 MiB, so memory does not grow with the body), to be read to sign and again to send: contract
     * §8 refuses a body whose bytes cannot be known first "unless the integration can read it
     * first", and this one can.
     */
    private static function replayable(StreamInterface $body): StreamInterface
    {
        $copy = Utils::streamFor(Utils::tryFopen('php://temp', 'w+b'));
        Utils::copyToStream($body, $copy);
        $copy->rewind();
        return $copy;
    }

    /** The start of a 401's body, for the policy's clock-refusal check; the body is left whole. */
    private static function refusalBody(ResponseInterface $response): string
    {
        $body = $response->getBody();
        if (!$body->isSeekable()) {
            return '';
        }
        $body->rewind();
        // One byte more than the policy reads, so that a longer body is seen as longer.
        $start = $body->read(Exchange::maxRefusalBody() + 1);
        $body->rewind();
        return $start;
    }

    private static function nowMs(): int
    {
        return (int) floor(microtime(true) * 1000);
    }
}
