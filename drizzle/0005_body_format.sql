CREATE TYPE "public"."body_format" AS ENUM('markdown', 'html');--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "body_format" "body_format" DEFAULT 'markdown' NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "body_format" "body_format" DEFAULT 'markdown' NOT NULL;