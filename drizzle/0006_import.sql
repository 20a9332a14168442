CREATE TYPE "public"."body_format" AS ENUM('markdown', 'html');--> statement-breakpoint
CREATE TABLE "post_legacy_urls" (
	"url" text PRIMARY KEY NOT NULL,
	"post_id" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "authors" ADD COLUMN "email" text;--> statement-breakpoint
ALTER TABLE "authors" ADD COLUMN "source_key" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "body_format" "body_format" DEFAULT 'markdown' NOT NULL;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "source_key" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "body_format" "body_format" DEFAULT 'markdown' NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "source_key" text;--> statement-breakpoint
ALTER TABLE "post_legacy_urls" ADD CONSTRAINT "post_legacy_urls_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_legacy_urls_post_idx" ON "post_legacy_urls" USING btree ("post_id");--> statement-breakpoint
ALTER TABLE "authors" ADD CONSTRAINT "authors_sourceKey_unique" UNIQUE("source_key");--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_sourceKey_unique" UNIQUE("source_key");--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_sourceKey_unique" UNIQUE("source_key");