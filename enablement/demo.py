"""Demo enablement content for ``manage.py seed_demo``: texts with and without a quiz, a link, a PDF and a draft,
delivered to the partners of their tiers with a realistic funnel (some unopened, some read, some passed).

Written directly (not through the services) so that times lie in the past and no email is sent. A vendor that
already has content is left alone. Call inside the vendor's scope.
"""

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from enablement.models import Content, ContentAudience, ContentKind, Delivery, FileType, QuizQuestion
from enablement.services import audience_partners
from partners.models import PARTNER_ROLES, Membership, PartnerCompany, Tier

MEDDIC_BASICS = """\
<h2>なぜ MEDDIC なのか</h2>
<p>パートナー経由の商談では、ベンダーはお客様に直接会えません。だからこそ、<strong>6つの要素</strong>を同じ言葉で共有することが大切です。</p>
<h3>6つの要素</h3>
<ul>
<li><strong>Metrics</strong> — お客様の成功基準（ROI、KPI）</li>
<li><strong>Economic Buyer</strong> — 予算を持ち、最終的に決める人</li>
<li><strong>Decision Criteria</strong> — お客様の比較の軸</li>
<li><strong>Decision Process</strong> — 稟議の流れと承認者</li>
<li><strong>Identify Pain</strong> — 課題の深刻さと緊急度</li>
<li><strong>Champion</strong> — 社内で推進してくれる人</li>
</ul>
<h3>「未把握」と「申告」と「確認済」</h3>
<p>各要素には「どこまで分かっているか（レベル）」と「どれだけ確かか（根拠）」の2つの軸があります。
パートナーの申告だけの情報と、証跡のある情報、ベンダーが確認した情報は区別して記録してください。</p>
<h3>よくある失敗</h3>
<ol>
<li>成功基準を決めずに PoC を始め、評価されないまま終わる</li>
<li>決裁者に会えないまま提案し、予算化されない</li>
<li>稟議の時期を読み違え、提案が間に合わない</li>
</ol>
<p>案件登録の際は、提案理由を3行以内で書き、分からない要素は正直に「未把握」としてください。</p>
"""

RINGI_GUIDE = """\
稟議は日本企業の意思決定の中心です。提案の前に、次の3点を必ず確認してください。

1. 最終承認者は誰か（課長・部長・本部長・社長・経営会議・取締役会）
2. 合議部門はどこか（情報システム、法務、経理、購買、セキュリティ）
3. 予算は今期に確保されているか、来期の予算化が必要か

根回しの段階で推進者（チャンピオン）と一緒に稟議書の骨子を作ると、差し戻しが大きく減ります。
当社の稟議テンプレートは、パートナーポータルの「提案支援」からダウンロードできます。

承認予定日が近いのに決裁プロセスが不明な案件は、リスクとして表示されます。早めにご相談ください。
"""

PRICING_UPDATE = """\
2026年度の価格改定のお知らせです。

・標準ライセンス: 年額 1ユーザー 12,000円（変更なし）
・エンタープライズ: 年額 1ユーザー 18,000円 → 19,800円
・保守サポート: ライセンス価格の 20%（変更なし）

改定は2026年10月1日のご注文から適用されます。9月30日までに登録・承認された案件は旧価格で提案できます。
"""

# A one-page PDF: enough for the demo's download and for the content check of uploads.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
    b"endobj\n4 0 obj<</Length 58>>stream\nBT /F1 24 Tf 72 760 Td (Kumo Security Whitepaper 2026) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

CONTENTS = [
    {
        "title": "MEDDIC 入門: パートナー商談で押さえる6つの要素",
        "summary": "案件登録の前に読んでください。6要素の意味と、申告・確認済の違いを5分で説明します。",
        "kind": ContentKind.TEXT,
        "body": MEDDIC_BASICS,
        "tiers": [Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.REGISTERED],
        "days_ago": 60,
        "quiz": [
            (
                "予算を持ち、最終的に購入を決める人を表す要素はどれですか？",
                ["Champion", "Economic Buyer", "Metrics"],
                1,
            ),
            (
                "パートナーの申告だけで裏付けのない情報の根拠はどれですか？",
                ["証跡あり", "パートナー申告", "ベンダー確認済"],
                1,
            ),
            ("提案理由は何行以内で書きますか？", ["3行", "5行", "10行"], 0),
        ],
        "pass_mark": 70,
        "demo_rep": "understood",
    },
    {
        "title": "稟議の進め方ガイド",
        "summary": "最終承認者・合議部門・予算の3点を提案前に確認するためのガイドです。",
        "kind": ContentKind.TEXT,
        "body": RINGI_GUIDE,
        "tiers": [Tier.PLATINUM, Tier.GOLD],
        "days_ago": 35,
        "quiz": [
            (
                "提案前に確認する3点に含まれないものはどれですか？",
                ["最終承認者", "合議部門", "競合の価格表"],
                2,
            ),
            (
                "稟議書の骨子は誰と一緒に作るとよいですか？",
                ["推進者（チャンピオン）", "競合他社", "購買部門のみ"],
                0,
            ),
        ],
        "pass_mark": 100,
        "demo_rep": "read",
    },
    {
        "title": "2026年度 価格改定のお知らせ",
        "summary": "エンタープライズ版の価格が10月から変わります。旧価格で提案できる条件を確認してください。",
        "kind": ContentKind.TEXT,
        "body": PRICING_UPDATE,
        "tiers": [Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.REGISTERED],
        "days_ago": 6,
        "demo_rep": "delivered",
    },
    {
        "title": "製品ウェビナー録画: 新しい分析ダッシュボード",
        "summary": "45分のウェビナー録画です。デモの流れをそのまま提案に使えます。",
        "kind": ContentKind.LINK,
        "url": "https://example.com/webinars/analytics-dashboard-2026",
        "tiers": [Tier.PLATINUM, Tier.GOLD, Tier.SILVER],
        "days_ago": 20,
        "demo_rep": "opened",
    },
    {
        "title": "セキュリティ・ホワイトペーパー 2026",
        "summary": "情報システム部門・セキュリティ部門の合議で必ず聞かれる項目をまとめた資料です。",
        "kind": ContentKind.FILE,
        "file": ("security-whitepaper-2026.pdf", DEMO_PDF, FileType.PDF),
        "tiers": [Tier.PLATINUM],
        "named": 1,  # and one gold partner by name
        "days_ago": 12,
        "quiz": [
            (
                "セキュリティの質問票はどの部門の合議で使いますか？",
                ["経理", "情報システム・セキュリティ", "人事"],
                1,
            ),
            ("資料の対象年度はいつですか？", ["2024年", "2025年", "2026年"], 2),
        ],
        "pass_mark": 50,
        "demo_rep": "delivered",
    },
    {
        "title": "次期パートナープログラムの概要（下書き）",
        "summary": "来期のティア条件とインセンティブの変更点です。",
        "kind": ContentKind.TEXT,
        "body": "来期のティア条件とインセンティブについては、確定次第ここでお知らせします。",
        "tiers": [Tier.PLATINUM, Tier.GOLD],
        "draft": True,
    },
]


def _demo_rep(delivery: Delivery, content: Content, stage: str, questions: int) -> None:
    """The printed demo reps (rep1@…) open an inbox with something new, something pending and something done."""
    at = delivery.delivered_at
    if stage in ("opened", "read", "understood"):
        delivery.opened_at = at + timedelta(hours=3)
    if stage in ("read", "understood"):
        delivery.read_at = at + timedelta(hours=3, minutes=4)
        if questions:
            delivery.quiz_attempts, delivery.last_score = 1, 50
    if stage == "understood":
        delivery.understood_at = at + timedelta(hours=3, minutes=9)
        if questions:
            delivery.quiz_attempts, delivery.last_score = 2, 100


def _funnel(delivery: Delivery, content: Content, questions: int, rng: random.Random, now) -> None:
    """Walk one recipient down the funnel with demo odds: most open, fewer read, fewer still understand."""
    age = now - delivery.delivered_at
    if rng.random() < 0.25:
        if age > timedelta(days=5) and rng.random() < 0.6:
            delivery.reminded_at = delivery.delivered_at + timedelta(days=rng.randint(3, 5))
            delivery.reminder_count = 1
        return
    delivery.opened_at = delivery.delivered_at + age * rng.uniform(0.02, 0.5)
    if rng.random() < 0.3:
        return
    delivery.read_at = delivery.opened_at + timedelta(seconds=rng.randint(content.read_seconds, 900))
    if rng.random() < 0.3:
        if questions:
            delivery.quiz_attempts, delivery.last_score = 1, rng.choice([0, 33, 50])
        return
    delivery.understood_at = delivery.read_at + timedelta(seconds=rng.randint(30, 600))
    if questions:
        delivery.quiz_attempts = rng.choice([1, 1, 1, 2, 3])
        delivery.last_score = 100 if content.pass_mark == 100 else rng.choice([content.pass_mark, 100])


def demo_content_seed(*, vendor, seed: int = 20260401) -> int:
    """Create the demo content of ``vendor`` and its deliveries; returns how many contents (0 if it has some)."""
    if Content.objects.exists():
        return 0
    rng = random.Random(f"{seed}:{vendor.slug}:content")  # noqa: S311  (demo data, not secrets)
    now = timezone.now()
    author = (
        Membership.objects.filter(role="vendor_admin", is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    gold = list(PartnerCompany.objects.filter(tier=Tier.GOLD).order_by("name"))
    for spec in CONTENTS:
        published = (
            None if spec.get("draft") else now - timedelta(days=spec["days_ago"], hours=rng.randint(1, 9))
        )
        content = Content(
            vendor=vendor,
            title=spec["title"],
            summary=spec["summary"],
            kind=spec["kind"],
            body=spec.get("body", ""),
            url=spec.get("url", ""),
            pass_mark=spec.get("pass_mark", 80),
            read_seconds=60,
            published_at=published,
            created_by=author.user if author else None,
            created_at=(published or now) - timedelta(days=1),
        )
        if "file" in spec:
            name, data, file_type = spec["file"]
            content.file_name, content.file_type, content.file_size = name, file_type, len(data)
            content.file.save(name, ContentFile(data), save=False)
        content.save()
        audience = [ContentAudience(vendor=vendor, content=content, tier=tier) for tier in spec["tiers"]]
        audience += [
            ContentAudience(vendor=vendor, content=content, partner=p) for p in gold[: spec.get("named", 0)]
        ]
        ContentAudience.objects.bulk_create(audience)
        QuizQuestion.objects.bulk_create(
            [
                QuizQuestion(
                    vendor=vendor, content=content, position=n, text=text, choices=choices, correct=correct
                )
                for n, (text, choices, correct) in enumerate(spec.get("quiz", []), 1)
            ]
        )
        if published is None:
            continue
        members = Membership.objects.filter(
            partner__in=audience_partners(content), role__in=PARTNER_ROLES, is_active=True
        ).order_by("pk")
        deliveries = []
        questions = len(spec.get("quiz", []))
        for user_id, partner_id, email in members.values_list("user_id", "partner_id", "user__email"):
            delivery = Delivery(
                vendor=vendor,
                content=content,
                recipient_id=user_id,
                partner_id=partner_id,
                delivered_at=published,
            )
            if email.startswith("rep1@") and "demo_rep" in spec:
                _demo_rep(delivery, content, spec["demo_rep"], questions)
            else:
                _funnel(delivery, content, questions, rng, now)
            deliveries.append(delivery)
        Delivery.objects.bulk_create(deliveries)
    return len(CONTENTS)
