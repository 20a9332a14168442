/*
 * Palaver's demo content: one real WordPress post and its comment thread, built from the text
 * extraction in seeds/source/000_0326b85a6d284f9d.txt, a copy of the one in shared/seeds (Chris
 * Ladd's blog, Political Orphans, February 2020). The text of the post and of every comment is
 * the extraction's, verbatim; the structure and the rest are judgment calls, recorded here:
 *
 * - Thread shape follows the extraction's indentation (depth = indent / 2). Its numbering restarts
 *   where items were lost, so indentation wins over numbering. The blog caps threads at depth 3,
 *   which is why replies to third-level comments sit beside them rather than under them.
 * - One parent is missing: third-level replies follow Dins's first comment directly. It stands in
 *   the tree as a deleted comment with no body, which Palaver shows as a placeholder, so the
 *   thread keeps its shape without inventing words nobody wrote.
 * - A comment containing its own numbered list (Dins: "Ryan, give your head a shake.") looks like
 *   deeper replies in the extraction; it is one comment with a Markdown list.
 * - Authors are mostly missing. Names used in replies (Dins, Ryan, Chris) are kept and attributed
 *   by content; the others are plain first names chosen for this demo, one per voice, reused
 *   where a commenter refers to their own earlier comment. Guest emails are placeholders.
 * - The extraction's first line ("More gruel") is site navigation, not content, and the title
 *   repeated above the body is dropped.
 * - Timestamps are plausible, in thread order: the post on Monday 24 February 2020 (the week the
 *   Washington Post story broke), comments over the following two days, each reply after its
 *   parent and siblings oldest first.
 */

export interface DemoComment {
  /** A key of `demoGuests`, or "@slug" for a registered author. */
  by: string;
  at: string;
  /** Markdown. */
  body: string;
  deleted?: boolean;
  replies?: DemoComment[];
}

export const demoAuthors = [
  {
    slug: 'chris-ladd',
    name: 'Chris Ladd',
    role: 'admin' as const,
    bio: 'Writes Political Orphans, a blog about politics for people the parties left behind.',
    website: 'https://politicalorphans.com',
    avatarUrl: null,
  },
];

export const demoGuests: Record<string, { name: string; email: string; url?: string }> = {
  marianne: { name: 'Marianne', email: 'marianne@example.com' },
  tex: { name: 'Tex', email: 'tex@example.com' },
  nikos: { name: 'Nikos', email: 'nikos@example.com' },
  ellen: { name: 'Ellen', email: 'ellen@example.com' },
  gerald: { name: 'Gerald', email: 'gerald@example.com' },
  sam: { name: 'Sam', email: 'sam@example.com' },
  dins: { name: 'Dins', email: 'dins@example.com' },
  ryan: { name: 'Ryan', email: 'ryan@example.com' },
  mark: { name: 'Mark', email: 'mark@example.com' },
  joanne: { name: 'Joanne', email: 'joanne@example.com' },
  petr: { name: 'Petr', email: 'petr@example.com' },
  frank: { name: 'Frank', email: 'frank@example.com' },
  carol: { name: 'Carol', email: 'carol@example.com' },
  walt: { name: 'Walt', email: 'walt@example.com' },
};

export const demoTags = [
  { slug: 'russia', name: 'Russia' },
  { slug: 'bernie-sanders', name: 'Bernie Sanders' },
  { slug: 'election-2020', name: 'Election 2020' },
];

export const demoPost = {
  slug: 'sanders-is-the-kremlins-second-favorite-candidate',
  title: 'Sanders Is the Kremlin’s Second-Favorite Candidate',
  authorSlug: 'chris-ladd',
  tags: ['russia', 'bernie-sanders', 'election-2020'],
  publishedAt: '2020-02-24T14:30:00Z',
  excerpt:
    'A February 2018 indictment of a Russian troll farm told its keyboard warriors to criticize ' +
    'everyone “except Sanders and Trump—we support them.” In retrospect, that makes more and more sense.',
  bodyMarkdown: "A February 2018, indictment against a social media troll farm run by Russian intelligence includes a passage that warranted little notice at the time. The indictment detailed day-to-day internal instructions for their keyboard warriors, including this guidance on appropriate targets.\n\n> “use any opportunity to criticize Hillary and the rest (except Sanders and Trump—we support them).”\n\nWith bigger things to worry about, most people assumed that the Kremlin’s interest in Sanders owed more to vandalism or hatred of Clinton than to any real enthusiasm for Sanders himself. In retrospect, this explanation makes less and less sense.\n\nWe discovered this week that US intelligence briefed Bernie Sanders on a current Russian operation to promote his candidacy. That briefing took place over a month ago. He said nothing about it until the Washington Post broke the story, then responded with Trumpian outrage at the Post for tattling on him.\n\nWhy are the Russians actively backing Donald Trump and Bernie Sanders? If they’re supporting Sanders because they’re convinced he can’t beat Trump, what does that say about his campaign? If they’re supporting Sanders because they’d prefer him as President over the other Democratic candidates, that may be worse. Do not for a moment imagine that the Russians would invest resources in a candidate without some confidence they would get something in return.\n\nEverything we know about the Russian relationship with Trump indicates a deep, personal investment in the man’s business and a calculated campaign to influence his policies. Sanders’ long-standing ties to the Russians, far deeper and older than Trump’s, deserve a closer look.\n\nRussian support for Donald Trump wasn’t about fighting Hillary Clinton, it was about developing Donald Trump. It’s clear now that they spent many years and enormous sums of money cultivating their relationship to the candidate and his later Administration. It would be ridiculous to assume that their support for Sanders is somehow accidental, opportunistic, or at arms-length.\n\nIt’s often assumed that the Russian campaign to support Trump began late in the 2016 primary season. This runs against all the available evidence.\n\nThough efforts to hide Trump’s finances have made It difficult to fully document his Russian ties, many of those ties have been on the surface all along. Russian and Saudi interests have propped up his struggling New York Trump Tower for decades. His decades of ties to Russian mobsters and their Russian government backers, from David Bogatin to the Bayrock Group were splayed across headlines long before he was a candidate. These ties are not accidental. Their connection to his campaign is not a coincidence. What we’ve learned about the effort to cultivate Donald Trump as a candidate offers lessons on their support for Bernie Sanders.\n\nHow do Russian financial ties to the Trump family translate into political power? We got a demonstration in the very first days of the Trump campaign.\n\nTrump’s first public campaign event after his June 2015 announcement was at Freedom Fest in Las Vegas. Somehow, by complete coincidence, he interrupted his rambling speech to acknowledge a question from someone on the floor. That someone was Russian agent, Maria Butina, later indicted for her role in a Kremlin campaign to influence US elections. Why did he stop talking, which he never does, and grant a forum to this one person, and only her? How did he know she was there?\n\nHow did the Russians get their favorite American political scumbag, Paul Manafort, placed in charge of Donald Trump’s Presidential campaign? How did a Russian intelligence operative, Konstatin Kilimnick, get the chance to influence the platform process at the Republican National Convention? You don’t get that kind of access and influence without a plan. It takes time to build the infrastructure to support that kind of plan. There was nothing random or haphazard about the Russian effort to subvert our democracy. There is nothing random or haphazard about the Russian effort to promote Bernie Sanders’ 2016 or 2020 campaigns.\n\nSanders was lending political help to the Russians when they were still the Soviets. Bernie traveled to Managua in 1985 to prop up the Kremlin’s Communist proxy in Nicaragua against his own government. He even appeared at a Communist rally in Managua where the crowd chanted “here and there the Yankee will die.”\n\nSanders traveled to the crumbling Soviet Union in 1988, where he gushed over the glories of the Soviet system. It should be noted that one does not just hop on a plane to Moscow and tool around the Soviet Union like a tourist in 1988. There was simply no way for Sanders to execute this joyride without the support of either the US or Soviet governments, and the US was not supportive.\n\nThe next year he traveled to Cuba, at a time when such a trip was extremely difficult to arrange. Sanders has expressed admiration for Castro in the past, taking the Communist government’s side against the Reagan Administration. His planned meeting with Castro on his ’89 visit did not materialize, but he was able to land a meeting with the Mayor of Havana. Through the Cold War, Sanders was a reliable voice for Russian interests against the US. Bernie has never abandoned that stance.\n\nOn Russia, Sanders has been the Democratic Susan Collins, issuing vague statements of concern while casting vote after lonely vote against any concrete efforts to contain the Kremlin. As the Obama Administration began efforts to curtail Russian money laundering and overseas political interference, Sanders remained a loyal and often lonely voice for Russian interests. He opposed the Magnitsky Act. Sanders was one of only four Senate opponents to the Magnitsky Act in 2012. Sanders opposed sanctions on Russia in response the Crimean annexation in 2017. He was carefully absent for a very close Senate vote in 2019 on retaining sanctions against Oleg Deripaska. After each no vote, he would issue some statement pinning his opposition on procedural or third-party issues. All the while, he has remained the Kremlin’s best friend in the Senate outside the Republican Party.\n\nWhy would the Russians back Bernie Sanders? Why on earth wouldn’t they? He’s been a more reliable voice for Russian interests than Donald Trump, and for a longer stretch of time. They don’t even need to pay him.\n\nWhen evidence emerged of organized Kremlin support for Sanders’ 2016 campaign, he issued a brief press release with the usual statements of concern, followed by no action. When the Washington Post ran the story about the US intelligence warning to the Sanders campaign, he attacked the Post. He also repeated almost word for word the evasions and deflections we’ve seen from Trump, stating that he’ll stop Russian interference and spreading unsubstantiated “other countries” doubts on the claims. The best evidence of what someone will do is that they have done, and Sanders has avoided any material stances at odds with Kremlin interests.\n\nA Sanders win in the Democratic Primary would make the Russian success in 2016 look like a mere prelude to the main act. Democrats may soon lock American voters into a choice between the Kremlin’s two favorite Presidential candidates.",
};

export const demoThread: DemoComment[] = [
  {
    by: "marianne", at: "2020-02-24T15:12:00Z",
    body: "Let’s take this primary conundrum to the convention. As in, a likely brokered Democratic convention.\n\nDoug Muder, The Weekly Sift( second fav to Political Orphans), “splains” the possible scenarios that could unfold. I found his explanation insightful. Maybe you will too.\n\nWhile I’m posting, let me state I agree with Fly. I will vote blue no matter who the nominee is because the alternative is truly a disaster for Democracy.",
  },
  {
    by: "tex", at: "2020-02-24T16:42:00Z",
    body: "William Kristol pleads with the Dems to save us!\n\nBefore I address what he wants to Dems to do, I want to ask people like him: what are YOU going to do? Are you prepared to go vote in these upcoming Dem primaries? I’m presuming that most of you would prefer Joe Biden. Here in TX, he’s got a small lead in the polls. Big state, lots of delegates, and crossing over is easy as the primaries are open. Other states, maybe you have to temporarily switch party registration. You’ll give up the right to help decide down ballot GOP races, but sacrifices are required. Put your votes where your mouths are.\n\nWhat if that doesn’t work, and Bernie’s the nominee? “Never Trump!! Except if my taxes will go up” is not Never Trump. If you truly believe that Trump is a threat to the republic, then put country before your personal gain and vote Blue. Deal with countering aspects of Bernie’s agenda you oppose after you help counter the primary menace. Nobody’s getting out of this mess unscathed, everybody is going to have to sacrifice; accept that and do what must be done.\n\nCredit where credit is due to conservatives like Joe Walsh and Jennifer Rubin, who have declared that they will vote for Sanders over Trump if it comes to that.\n\nAs for what he said to the Dems, I agree (although funny he didn’t have much advice for Warren). We are at the nexus point where some tough decisions have to be made. Bernie vs one centrist gives that centrist a fighting chance. Bernie vs 3-4 centrists means Bernie wins. Again, sacrifices must be made.\n\nAs for me, I’ve posted what I do not like about Sanders. I also have doubts about him winning the general election, barring an economic crisis (which I will not count on, nor will I root for it). But I am pledged to vote Blue, and I will.",
    replies: [
      {
        by: "nikos", at: "2020-02-24T18:08:00Z",
        body: "Bill Kristol is a special breed even in Never Trump circles. He is still equating Bernie with Trump whereas most never trumpers have already made the case. See the statements from George Conway and David jolly that I posted a few posts down.\n\nKristol is afraid of Bernie’s policies.\n\nThe other never trumpers are only afraid of one thing, that Bernie can’t beat trump and that is consistent with their sounding alarms right now…\n\nHopefully they will be positively surprised.",
        replies: [
          {
            by: "ellen", at: "2020-02-24T18:55:00Z",
            body: "Purely from a political perspective, Sanders is smart to keep his pay-fors to condensed talking points that can easily be repeated on the campaign trail. I wish Warren had embraced that when she got muddled up in healthcare.",
          },
          {
            by: "gerald", at: "2020-02-24T19:32:00Z",
            body: "The reality is, the Federal Government can “pay for” anything that is for sale in dollars, using its power to create dollars. The only constraints are that the thing the Government wants to buy does exist or can be created, and if someone else also wants the thing and is in a position to bid against the Government the price will rise if there is some reason why supply can’t be increased.\n\nSo, where the Federal Government is involved, it is always a question of resources, never a question of money.",
          },
        ],
      },
    ],
  },
  {
    by: "nikos", at: "2020-02-24T18:00:00Z",
    body: "Chris, I agree that Warren is the better progressive choice. But none of the never trumpers wanted to support her in hope of Biden or maybe Klobuchar making it when it should have been clear that there is a appetite for progressive policies in the primary base.\n\nThat being said, I don’t see the Sanders cluster fuck if he becomes president. Worst case scenario he gets nothing done because he burns his capital on the first policy without compromise.\n\nMy only real concern is that he might lose. If he beats trump… well I’ll let some of the Never Trumpers that haven’t lost their nerves say it:\n\nGeorge Conway:\n\n> “The fact that Bernie Sanders won the Nevada caucuses doesn’t make Donald Trump any less of an ignorant and incompetent narcissistic psychopath.”\n\nFormer GOP Rep David Jolly\n\n> “IMO there’s not a candidate on the Dem side who will attack truth, undermine justice, reject experience for patronage, nor seek profit from the presidency. Policy disagreements are important and should be confronted, but the nation will be safer under Dem leadership. Any Dem. “",
  },
  {
    by: "sam", at: "2020-02-24T19:36:00Z",
    body: "I’d be intensely surprised if Russia was backing Sanders with an aim to install him; my guess is that they see an oncoming split in the Democratic party, and figure they can leverage it to keep Trump in power. Their bet is either that he wins the primary and loses the general, or loses the primary in a way that pisses his voters off. If they push for him and he doesn’t make it over the line they can naturally segue into building enough resentment in Bernie voters to get a whole bunch of them to vote third party.\n\nIt’s moderately risky because if he wins and then wins the general they don’t get what they want (because I doubt that Bernie’s going to be particularly inclined to enable them), but right now they see him as a natural place to stick a wedge in the party and are going to roll with it. In fairness, he’s not my first choice; Warren can do everything good that he can but better, and I’d prefer her but would take either of them over everyone else running.",
  },
  // Replies below address Dins by name; the next two items are missing from the extraction.
  {
    by: "dins", at: "2020-02-24T21:48:00Z",
    body: "My mom said I should read your blog. Not impressed. I’m reading it and sorely disappointed. Your “building up” of the horrible TLump and his highly conflicted debased corrupt ways over decades and then seamlessly tying the horrors of that man to the desire of Bernie to avoid needless wars that cause untold deaths and sadness is…. inappropriate to say the least and speaks to your own inability to provide perspective to your readers. This article is also misleading and within 5 minutes of following links from your article I found an interview of Bernie where I can read what he actually said. Anytime you are disparaging or implying such, as your photograph header of the article inappropriately attempts to do & implies many vivacious scenarios, you should at least put a link to what the actual person says. Failing to do so shows your disposition and predilections.\n\nAmerica’s insatiable desire to interfere in the politics of other countries continues to this day. In the early days we thought we were “God’s chosen ones”. Morally & ethically superior and basically put on earth to “save everyone”. Instead we got unintended consequences. And a lot of time this means we create a scenario as bad OR EVEN WORSE over time. And our process results in the ravaging of natural resources and the countries as a whole. Quite frankly history will judge is not as saviors but as devastators. Now we no longer even put up much of a show. War is soooooo easy to justify and we get to use our fancy weapons making the military industrial complex very happy and very wealthy off the blood of innocents. Shame on us for being so self righteous and “know it alls” and playing God and using our moral superiority to acquire strategic assets and sell more weapons etc.\n\nBernie’s true problem is he is against war. That’s it. Not any more complicated and quite boring. America is great at war and murdering people without even so much as a guilty conscience. And the stock market goes up! LOL. You should be ashamed for implying the Bernie is a bad person because he is against war! America has done a horrible job of protecting innocents around the world because it is soooo easy to “use our military might”. We can do better, much better. We want instant gratification. And when we don’t get it we start bombing people.\n\nUnintended Consequences should be your next article so you can educate your readership WHY what America has done since before Fide was horrible and how it gave us a “quick win” while creating a lifetime of enemies while enriching our corporations. NeoColonialism is alive and well.",
    replies: [
      // Indented one level deeper than the comment it follows: its parent, Dins's comment about “decent and humane” Russian agents and dictatorial powers, is missing from the extraction, so it stands here as a deleted placeholder.
      {
        by: "dins", at: "2020-02-24T23:14:00Z", deleted: true,
        body: '',
        replies: [
          {
            by: "ryan", at: "2020-02-25T00:01:00Z",
            body: "Dins, I find your conflating of “decent and humane” Russian agents and your encouragement of using dictatorial powers fascinating and I wish to subscribe to your newsletter.\n\nTranslation: You might’ve benefited from thinking that line of thought through more before you typed it out.\n\nAt any rate, we can sum this up with a simple question. Would a President Sanders, if given the chance, act in accordance with the vast majority of presidents of both parties and treat Russia as the growing threat that it is, not giving them any reason to think he’s playing to their favor?\n\nAt the very least, we can surmise that his past involvement with them is quite troubling and we should not afford him the chance to brush any legitimate criticism and/or inquiry aside. If it’s wrong for Trump, it’s wrong for Sanders.",
          },
          // Dins's own numbered list, which the extraction indents like deeper replies.
          {
            by: "dins", at: "2020-02-25T00:38:00Z",
            body: "Ryan, give your head a shake.\n\n1. Democracy is dead in the u.s.. If it did not have such a massive military, the U.N. would label it a failed state. The only way to reverse any of the destruction by the fascists is to use the same dictatorial powers that the tyrant and his regime have grabbed. I hope that whomever wins the Dem nomination recognizes that fact.\n2. Sanders is indeed a humane and decent human being. And his policies align with a huge number of western nations that are weakly “socialist”, whatever that term means. (Sweden, Denmark, Norway, Germany, Canada, all come to mind.) I would cheer on anything he did to bring the u.s closer to the norm set by those countries, that ALL rank higher than the u.s in ANY Quality of Life survey.\n\nThe typical american has zero clue what a true socialist government is, and automatically conflate it with communism. Socialism and communism are NOT the same thing, and as has been stated by oh so many here, the u.s. already implements a ton of programs considered “socialist”.\n\nBottom line, Sanders, or any Dem president, will be completely hamstrung by the fascist Senate and SCOTUS, and very little would change.\n\nLastly, this entire conversation is entirely irrelevant. The math from the Electoral College map shows the tyrant will win. Florida is not going to switch back to Dem’s, same with Wisconsin, thanks to voter suppression that has already happened, let alone what happens in the next 8 months. There is no path for a Loser Party win without those two states. If my some miracle Penn and Michigan both flip, that puts the tyrant at 268 votes, but no way there will be 7 faithless votes this time around.",
          },
          {
            by: "ryan", at: "2020-02-25T01:26:00Z",
            body: "Dins, before I get into anything else, I’m just going to have it out there and say that I’ve been (and continue to be!) a strong believer in the idea that Trump would romp Sanders. I think his positions, particularly on banning fracking and others, make him ripe for being torn politically apart in critical states like Pennsylvania.\n\nThat said, a brief recollection of ’16 reminds us that the overwhelming consensus was that Trump was headed for certain defeat. Mitch McConnell and the entire Republican establishment believed it. Hell, even Trump believed it!\n\nNow none of that is to say that Sanders, as things stand, has a decent chance at victory. He very likely doesn’t.\n\nHowever, anyone who says they’re absolutely certain of what’s going to happen in November, as you do, is fooling themselves. Plenty thought that way in ’16 and got sucker punched on Election Night. We shouldn’t make that mistake again.",
          },
        ],
      },
      // A reader replying to Dins; the extraction kept the opening line “C Ladd”.
      {
        by: "mark", at: "2020-02-25T00:44:00Z",
        body: "C Ladd\n\nYup. Very disappointing. And troubling that he opens with the disingenuous claim Bernie sat on the info when in fact it was classified and, you know, illegal to disseminate or respond. Then when infamous Gazillionaire Bezos used his WaPo to kneecap Sanders on the eve of the Nevada Primary, he faults Bernie again.\n\nTrump is happy to let his supporters wallow in that blissfully self-unaware misunderstanding of the American Dream encapsulated by Steinbeck, as “temporarily embarrassed millionaires”. In typical populist fashion he encourages them to loathe “the swamp”, then pretends it is the purview of the Democrats almost exclusively.\n\nOn the other hand, Bernie is feared by precisely that contingent of the Democrat establishment. They fear him even more than their republican counterparts, as it is not just the overarching establishment he threatens, but them specifically (this is where the conventional (read: Establishment) down-ticket wisdom needs to be reconsidered). They are the counter-progressive failsafe of the Party that pitches itself as the only option for progressives; it is their job to apportion crumbs while simultaneously constraining the voices of the hopeful. This is where the argument arises that Bernie isn’t a Democrat. Correct. He is the anti-trump, the progressive counterpart for the two party system. He’s been waiting forty years for the people to figure that out. Now they are waking up to the most hopeful moment in world history: America may finally take its place as the leader of the free world, *and* lead in the right direction by combatting the climate crisis.\n\nFor Chris to go off the rails this way is very disappointing; perhaps this is the moment of truth for he and I inasmuch as I have never considered myself a conservative. Nevertheless I see in Bernie someone fighting for the American Dream as it is truly understood. Bernie Sanders is trying to open the door to the millions of Americans who have felt sidelined or excluded: All. Their. Lives.",
        replies: [
          // Chris Ladd, the post's author, answering as a registered author.
          {
            by: "@chris-ladd", at: "2020-02-25T01:31:00Z",
            body: "Sanders has consistently played Susan Collins on Russia. He makes all the appropriate statements, but he’s absent or a no vote when he needs to be. I don’t think he’s an “asset” (I think Trump is). I think he’s always been a friend, going back to his earliest days in politics. And most importantly, he has always favored the Kremlin’s foreign policy, even across the transition from the Soviet Union to the new Fascist state.\n\nHe has expressed little to zero interest in reigning in the money laundering and corruption on which Russian leaders depend, basically equating every form of banking with money laundering, thus diluting any interest in fighting the practice. He has no interest in US military power. He’s had friendly, high-level relationships with Russian figures for longer than Trump. There’s little reason to think that they wouldn’t perhaps prefer Sanders over Trump. He’s cheaper and he still gives them everything they could ever want.\n\nIt’s hard to identify what real-world policy goal anyone expects to achieve by electing a career activist who’s never accomplished anything more significant than winning elections in a state the size of a medium-sized city when they could pick someone like Warren who is backing the same core policies and has plans for how to make them happen.\n\nJust like Trump, Bernie-world is a kinky cult, propped up by foreign powers interested in dismantling our system. His popularity, like Trump’s is a symptom of broad political decline. His election would be a cluster-fk.",
          },
          // Same reader as above (“the link … I was encouraging everyone to read”).
          {
            by: "mark", at: "2020-02-25T02:08:00Z",
            body: "A few quick points: The US defense budget is insane. There’s no other word for it. The elephant in the room with the banking system is financialization of the economy. Comparatively, money laundering is a minor problem in its effect on the average person’s life. And finally, the link on Sanders’ contacts I was encouraging everyone to read is basically a long story about how Sanders’ remarks and contacts have been misrepresented.",
          },
          // Dins, thanking the comment above; the extraction restarts the numbering here but keeps the indentation of a sibling (the blog caps threads at depth 3).
          {
            by: "dins", at: "2020-02-25T02:56:00Z",
            body: "Thank you!! Follow the trail of breadcrumbs. Takes a whole 5 minutes and you will all see the truth. Good Lord. So tiring having to defend the truth when it’s so easy to find. Click & click – scroll & click – scroll. Read and be enlightened!",
          },
        ],
      },
      // The extraction restarts the numbering; by indentation a second-level reply to Dins.
      {
        by: "joanne", at: "2020-02-25T02:03:00Z",
        body: "Exactly. This entire post is idiotic and conspiracy theory junk based on corporate media paid to undermine Bernie credibility. Chris Ladd your pants are on fire 🔥 If anything ((at best) this post proves to me that even smart people do NOT do the work to verify information. Follow the links. Read the NYT interview with Bernie. After they printed an article he went on the record. SO disappointed.",
      },
    ],
  },
  {
    by: "petr", at: "2020-02-25T16:54:00Z",
    body: "All you have said is probably true. But the problem is the Democrats spent last 30 years or so extinguishing progressive candidates, so now when they need someone to beat the drum of populism, they almost have no one left.\n\nThere is Warren who unfortunately shot herself in the foot by embracing the woke.\n\nAnd there is Bernie with all the disadvantages you noted.",
    replies: [
      {
        by: "frank", at: "2020-02-25T18:20:00Z",
        body: "The democratic establishment has and continues to marginalize their own base by disenfranchising voters who have become disillusioned by the failure of “the people’s party” to be progressive and independent of corporate and undue influence. A 2 party system does not work. Or at least it does not work well. And Over time it becomes an inverted food chain feeding those who ARE the establishment. And the people become a means to an end and not the true purpose any longer.",
      },
    ],
  },
  // The Texan of comment 2 (“Here in TX”).
  {
    by: "tex", at: "2020-02-25T18:24:00Z",
    body: "Alright, let’s imagine this worst case scenario, Sanders or Trump. This post outlines how both have ties to Russia. They also both have transparency issues, fanatical fan bases, and can’t take criticism well. Trump is a worse authoritarian, but Bernie has some shades of that too. It’s reasonable to bring up health issues with both. This would be a more wrenching choice than 2016, but at the very least I could say that Bernie doesn’t deny climate change, he doesn’t egg on America’s racist underbelly, and even with its flaws, his health care platform is more realistic and humane than what the GOP wants to do. There is zip, zilch, nada that I can say in favor of Trump; the man is beyond horrific.\n\nI’d rather Bernie not be the Dem nominee, and that’s why I’ve held off voting in the primary this year. Judging from the preliminary turnout numbers for TX, many Dem voters are doing the same. Normally I go on the first day of early voting to make sure it gets done. But my poling place is within short walking distance of my house, and my work schedule has flexibility, so I won’t miss the vote.",
    replies: [
      {
        by: "carol", at: "2020-02-25T19:50:00Z",
        body: "I am supporting Warren. She is my first choice. Just walked a canvass for her. I am with you if it comes between Bernie or Trump the choice is obvious. The Democrat party has a wing of blue dog democrats. That with what remains of the Republican party will seriously constrain him. Unlike Republicans the Democrats are a diverse coalition and do not all march in lockstep. Bernie is a far safer choice even if he is a Russian agent than Trump in my opinion.",
      },
    ],
  },
  {
    by: "walt", at: "2020-02-25T21:42:00Z",
    body: "The opposition research room for sanders must be huge.\n\nThis report in WaPo offers another view of Sanders testy personality and his selective decision to sit on Intelligence regarding Russian involvement in his campaign.",
    replies: [
      // Dins (“My mom said …” again).
      {
        by: "dins", at: "2020-02-25T23:08:00Z",
        body: "Bernie does not have “ties to Russia”. There is no comparison. The skull-drudgery by TLump in connection w/ Russia can not be compared in any way shape or form. The entire basis of the article is a lump of spent coal. Pointless exercise in unfounded accusations. Read the interview! My mom said highly intelligent well read people participated in this blog. Ha! If you all think and see Bernie as part of the problem then your not reading nearly enough. This whole post is conspiracy theory 101. Lol",
        replies: [
          {
            by: "ryan", at: "2020-02-25T23:55:00Z",
            body: "Comparing Sanders to Trump on the issue of Russia is pointless. It doesn’t matter whether they can be compared or not, because the legitimate issue at hand is whether Sanders has his own unique problems with that country. That’s all.\n\nIf Sanders’ has legitimate reasons for voting against the Magnitsky Act (did he really do it for trade reasons?), that’s fine. Let him explain it. If the Kremlin genuinely sees him as simply an instrument for inciting division and chaos within the US, then even if he’s not a Putin asset, that’s still something very troubling and we shouldn’t just brush it aside because one may like the old guy.",
          },
        ],
      },
    ],
  },

];
