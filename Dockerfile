# Production image: compiled JavaScript (the server and the palaver CLI), production dependencies only.
# At run time the compiled code reads drizzle/ (migrations, found from dist/ upwards) and package.json
# ("type": "module"); the demo content and GraphiQL's files are compiled in or come from node_modules.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY seeds ./seeds
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY drizzle ./drizzle
# The operator's command line on the PATH, as the package's bin declares it:
# `docker compose exec api palaver token create …` (or `node dist/scripts/palaver.js …`).
# Without DATABASE_URL the embedded database lives in /app/.data (mount a volume there to keep it).
RUN chmod +x dist/scripts/palaver.js && ln -s /app/dist/scripts/palaver.js /usr/local/bin/palaver \
  && mkdir .data && chown node:node .data
USER node
EXPOSE 4000
# Ready: the database answers and is migrated (and Redis, when used). The slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# V8's heap sized for a server of many short requests: semi-spaces of at most 8 MB (V8 grows them
# to 16) and the old generation collected once it has grown by half since the last collection
# (by default V8 lets it reach up to four times): peak RSS in a short `npm run bench` 327 -> 242
# MB, the same CPU for small reads, 10-20% more for megabyte ones (bench/README.md, "Third
# session on issue 9"). test/build.test.ts starts the server with this line.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/src/server.js"]
