#!/usr/bin/env node
// Signs the requests of aksk_vectors (one JSON line each on stdin) with Huawei's Node SDK,
// @huaweicloud/huaweicloud-sdk-core, and prints one JSON line per request:
//   {"n", "authorization", "canonical_request", "problems"}.
//
//   node sdk_sign.js --node-modules DIR < vectors.jsonl
//
// The SDK builds and signs each request itself, the way a service client does: HcClient
// substitutes the path parameters and sets content-type, BasicCredentials puts in the project
// (path and X-Project-Id), the security token and X-Sdk-Content-Sha256, and AKSKSigner signs.
// Nothing is sent. The SDK's clock is pinned to the vector's time by stubbing Date.now for the
// call; its canonical request is read by wrapping AKSKSigner.buildCanonicalRequest, whose
// result is passed on unchanged. `problems` lists where the request the SDK built differs from
// the one we signed (a fault of the vectors, not of a signer).
'use strict';

const path = require('path');
const readline = require('readline');
const url = require('url');
const querystring = require('querystring');

function arg(name) {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
}

const modules = arg('--node-modules');
if (!modules) {
    console.error('usage: node sdk_sign.js --node-modules DIR < vectors.jsonl');
    process.exit(2);
}
const core = path.join(modules, '@huaweicloud', 'huaweicloud-sdk-core');
const { HcClient } = require(path.join(core, 'HcClient'));
const { DefaultHttpClient } = require(path.join(core, 'http', 'DefaultHttpClient'));
const { BasicCredentials } = require(path.join(core, 'auth', 'BasicCredentials'));
const { AKSKSigner } = require(path.join(core, 'auth', 'AKSKSigner'));

let lastCanonical = null;
const buildCanonicalRequest = AKSKSigner.buildCanonicalRequest;
AKSKSigner.buildCanonicalRequest = function (...args) {
    lastCanonical = buildCanonicalRequest.apply(this, args);
    return lastCanonical;
};

// The query the vector sent means the parameters it gave the SDK.
function sameParams(wire, given) {
    const parsed = querystring.parse(wire);
    const norm = (o) => {
        const out = {};
        for (const k of Object.keys(o)) out[k] = [].concat(o[k]).map(String).sort();
        return JSON.stringify(Object.keys(out).sort().map((k) => [k, out[k]]));
    };
    return norm(parsed) === norm(given);
}

async function signOne(v) {
    const credentials = new BasicCredentials().withAk(v.ak).withSk(v.sk);
    if (v.project_id !== null) credentials.withProjectId(v.project_id);
    if (v.security_token) credentials.withSecurityToken(v.security_token);
    const client = new HcClient(new DefaultHttpClient({}, [v.endpoint]), {})
        .withEndpoints([v.endpoint])
        .withCredential(credentials);

    const options = {
        method: v.method,
        url: v.url,
        pathParams: Object.assign({}, v.path_params),
        queryParams: JSON.parse(JSON.stringify(v.query_params)),
        headers: Object.assign({}, v.headers),
    };
    if (v.content_type !== null) options.contentType = v.content_type;
    const problems = [];
    if (v.body !== '') {
        if (v.content_type === 'application/json') {
            options.data = JSON.parse(v.body);
            if (JSON.stringify(options.data) !== v.body) problems.push('JSON.stringify does not give the body back');
        } else {
            options.data = v.body;
        }
    }
    if (!sameParams(v.query, v.query_params)) problems.push('the wire query does not match query_params');

    const realNow = Date.now;
    Date.now = () => v.now_ms;
    lastCanonical = null;
    let request;
    try {
        request = await client.buildRequest(options);
    } finally {
        Date.now = realNow;
    }

    const signedPath = url.parse(request.endpoint).pathname;
    if (signedPath !== v.path) problems.push(`the SDK signed the path ${JSON.stringify(signedPath)}`);
    const date = request.headers['X-Sdk-Date'];
    if (date !== v.date) problems.push(`the SDK dated the request ${JSON.stringify(date)}`);
    return {
        n: v.n,
        authorization: request.headers.Authorization,
        canonical_request: lastCanonical,
        problems,
    };
}

async function main() {
    const version = require(path.join(core, 'package.json')).version;
    console.error(`sdk_sign: @huaweicloud/huaweicloud-sdk-core ${version}, node ${process.version}`);
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
        if (!line.trim()) continue;
        const v = JSON.parse(line);
        let out;
        try {
            out = await signOne(v);
        } catch (e) {
            out = { n: v.n, authorization: null, canonical_request: null, problems: [`the SDK threw: ${e}`] };
        }
        process.stdout.write(JSON.stringify(out) + '\n');
    }
}

main().catch((e) => {
    console.error(`sdk_sign: ${e.stack || e}`);
    process.exit(1);
});
