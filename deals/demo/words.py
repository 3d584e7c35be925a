"""Words for the demo deals (``deals.demo``): customer names, titles, proposal reasons, element notes, champion
log next steps and workflow reasons, in natural Japanese. Every proposal-reason line fits the 60-character rule.
"""

from deals.models import ActivityType, Industry, LossType


def _listed(block: str, sep: str | None = None) -> tuple[str, ...]:
    """Items of a block of text, split on ``sep`` (whitespace by default) and on line ends."""
    return tuple(
        item.strip() for line in block.strip().splitlines() for item in line.split(sep) if item.strip()
    )


# Name stems: fictional, not the names of real companies.
STEMS = _listed(
    """
東邦 北辰 大和田 青葉 若葉 三協 富士見 中央 日進 昭栄 協和 旭日
白鷺 瑞穂 千代田 湊 桜川 藤沢 常盤 北斗 光陽 双葉 明和 丸山 新星
碧水 東和 西都 南海 菱和 大洋 高嶺 朝霧 緑川 泉 杉本 日向 あおば
みらい さくら ひかり野 武蔵野 相模 浪速 瀬戸内 筑紫 出雲 信濃 越後
加賀 安曇 琴平 鳴門 松風 清流 紅葉 山科 岩城 平和 共栄 太陽 銀河
城南 城北 湘南 房総 那珂 阿蘇 霧島 天満 堂島 住吉 田園 東雲 有明
豊洲 芝浦 北陸 東北 九州 四国 山陽 山陰 ときわ はやて こだま つばさ
"""
)
# Municipalities for the public sector (fictional).
TOWNS = _listed(
    """
青葉台市 北浜市 南丘市 東山町 西原町 桜ヶ丘市 緑野市 川辺町 浜風市
山里村 白川市 朝日野市 星見町 若松市 大森市
"""
)
# Name forms per industry; "{s}" is a stem.
NAME_FORMS: dict[str, tuple[str, ...]] = {
    Industry.MANUFACTURING: (
        "{s}工業株式会社",
        "株式会社{s}製作所",
        "{s}精機株式会社",
        "{s}電機株式会社",
        "{s}化学工業株式会社",
        "株式会社{s}金属",
        "{s}食品工業株式会社",
    ),
    Industry.FINANCE: (
        "株式会社{s}銀行",
        "{s}信用金庫",
        "{s}証券株式会社",
        "{s}生命保険株式会社",
        "{s}信用組合",
    ),
    Industry.RETAIL: (
        "株式会社{s}商事",
        "{s}ストア株式会社",
        "株式会社{s}フーズ",
        "{s}ドラッグ株式会社",
        "{s}物産株式会社",
    ),
    Industry.IT_TELECOM: ("株式会社{s}システムズ", "{s}ソフトウェア株式会社", "{s}通信株式会社"),
    Industry.HEALTHCARE: ("医療法人{s}会", "医療法人社団{s}会", "社会医療法人{s}会", "{s}メディカル株式会社"),
    Industry.CONSTRUCTION: ("{s}建設株式会社", "株式会社{s}工務店", "{s}不動産株式会社", "{s}ハウス株式会社"),
    Industry.LOGISTICS: (
        "{s}運輸株式会社",
        "株式会社{s}ロジスティクス",
        "{s}倉庫株式会社",
        "{s}陸運株式会社",
    ),
    Industry.EDUCATION: ("学校法人{s}学園", "学校法人{s}大学"),
    Industry.SERVICES: (
        "株式会社{s}コンサルティング",
        "{s}サービス株式会社",
        "株式会社{s}ホテルズ",
        "{s}警備保障株式会社",
    ),
    Industry.OTHER: ("{s}ホールディングス株式会社", "一般財団法人{s}協会", "{s}エネルギー株式会社"),
}
ENGLISH_STEMS = _listed(
    """
Northwind|Blue Harbor|Silverline|Evergreen
Kestrel|Aurora|Summit|Harborview|Pinecrest
Redwood|Lumen|Orchid|Crescent|Bluefin
Westbridge|Skylark
""",
    "|",
)
ENGLISH_FORMS: dict[str, tuple[str, ...]] = {
    Industry.MANUFACTURING: ("{s} Robotics K.K.", "{s} Devices Co., Ltd."),
    Industry.FINANCE: ("{s} Capital Japan K.K.", "{s} Insurance Japan Inc."),
    Industry.RETAIL: ("{s} Trading Co., Ltd.", "{s} Retail Japan K.K."),
    Industry.IT_TELECOM: ("{s} Systems Japan K.K.", "{s} Networks Inc."),
    Industry.HEALTHCARE: ("{s} Pharma Japan K.K.",),
    Industry.LOGISTICS: ("{s} Logistics Japan Inc.",),
    Industry.SERVICES: ("{s} Consulting Japan G.K.", "{s} Hotels Japan Co., Ltd."),
}

# Titles: common ones per vendor (Kumo sells cloud and security, Hikari data and analytics) and per industry.
TITLES_COMMON = {
    "kumo": (
        "基幹システムのクラウド移行",
        "全社ファイルサーバ統合",
        "ゼロトラスト基盤構築",
        "社内ヘルプデスク刷新",
        "テレワーク環境の増強",
        "バックアップ・DR基盤更改",
        "メール・グループウェア移行",
        "ID管理・SSO導入",
        "サーバ保守切れ対応（クラウド化）",
        "ログ監視・SOC導入",
    ),
    "hikari": (
        "データ分析基盤構築",
        "全社BIダッシュボード導入",
        "データ連携基盤（ETL）刷新",
        "需要予測の高度化",
        "経営管理レポートの自動化",
        "顧客データ統合（CDP）",
        "データガバナンス整備",
        "帳票電子化とデータ活用",
    ),
}
TITLES_BY_INDUSTRY = {
    Industry.MANUFACTURING: ("工場IoT見える化PoC", "生産管理システム刷新", "品質データ統合"),
    Industry.FINANCE: ("勘定系周辺システム更改", "不正検知モニタリング強化", "営業店タブレット基盤"),
    Industry.RETAIL: ("在庫管理システム刷新", "店舗POSデータ活用", "EC基盤のリプレース"),
    Industry.IT_TELECOM: ("開発環境のクラウド統合", "顧客向けSaaS基盤増強"),
    Industry.HEALTHCARE: ("電子カルテ連携基盤", "医療情報のバックアップ強化", "病床管理の見える化"),
    Industry.CONSTRUCTION: ("現場写真・図面の共有基盤", "BIM連携プラットフォーム"),
    Industry.LOGISTICS: ("配送管理システム導入", "倉庫在庫の可視化", "車両動態管理"),
    Industry.PUBLIC: ("窓口DX・電子申請基盤", "庁内ネットワーク強靭化", "住民情報の分析基盤"),
    Industry.EDUCATION: ("学内ネットワーク更改", "学修データ分析基盤"),
    Industry.SERVICES: ("予約・顧客管理システム刷新", "コールセンターCRM導入"),
    Industry.OTHER: ("グループ共通基盤の整備",),
}
REPEAT_SUFFIXES = ("（第2期）", "（追加導入）", "（他拠点展開）", "（更新）")

# Proposal reasons: a problem, what we offer, why us. Each line at most 60 characters.
REASON_PROBLEMS = (
    "現行システムの保守期限が来年度末に到来し、更改が必須",
    "紙とExcel中心の集計で月次締めに5営業日かかっている",
    "拠点ごとにデータが分散し、経営層が全体を把握できない",
    "情報システム担当が2名のみで運用負荷が限界に近い",
    "ランサムウェア被害の報道を受け、経営層が対策を指示",
    "テレワーク拡大でVPNが逼迫し、業務が止まることがある",
    "監査で権限管理の不備を指摘され、是正期限が迫っている",
    "属人化した業務が多く、担当者の退職で引継ぎに苦労した",
    "顧客からの問い合わせ対応が遅く、解約につながっている",
    "需要の読み違いで在庫の過不足が続き、廃棄が増えている",
)
REASON_OFFERS = (
    "既存の会計・人事システムと標準コネクタで連携できる",
    "段階移行が可能で、現場の業務を止めずに切り替えられる",
    "運用代行を含めて提案し、情シスの負荷を月40時間削減",
    "初年度はスモールスタートし、効果を見てから全社展開",
    "国内データセンター利用で、顧客のセキュリティ要件を満たす",
    "ダッシュボードを標準提供し、経営会議資料の作成を自動化",
    "当社の導入テンプレートで、3か月での本稼働を見込める",
)
REASON_PROOFS = (
    "同業他社2社での導入実績を先方が高く評価している",
    "PoCで処理時間を60%短縮でき、現場の評価が高い",
    "当社が長年の保守を担当しており、業務を熟知している",
    "先方の部長が前職で製品を使っており、推進に前向き",
    "補助金の対象となり、実質負担を3分の2に抑えられる",
    "他社案より年間ランニングコストが2割安い",
)

METRICS_NOTES = (
    "問い合わせ対応時間を30%短縮",
    "月次決算を5営業日から3営業日に短縮",
    "紙帳票を年間12万枚削減",
    "設備停止時間を年間20%削減",
    "在庫回転日数を45日から30日に",
    "窓口申請の60%をオンライン化",
    "運用工数を月40時間削減",
    "障害復旧時間を4時間以内に",
    "レポート作成工数を月80時間削減",
)
# Who the economic buyer is, by their title level.
ECONOMIC_BUYER_NOTES = {
    "section_head": ("情報システム課長（部門予算の範囲で決裁）", "業務課長（小口の投資は課長決裁）"),
    "department_head": ("情報システム部長（予算権限あり）", "経営企画部長が予算を握っている"),
    "executive": ("管理本部長（CFO兼務）", "DX推進担当の執行役員"),
    "president": ("社長が最終判断", "オーナー社長（予算も即決）"),
}
CRITERIA_NOTES = (
    "セキュリティ要件と既存基幹との連携を重視",
    "初期費用よりも5年間の総コストで比較",
    "導入実績とサポート体制を重視",
    "現場の使いやすさを評価会で確認する",
)
COMPETITORS = (
    "外資系クラウドA社",
    "国内SIer B社の独自開発",
    "現行ベンダーの延長保守",
    "C社パッケージ",
    "D社SaaS",
    "内製（情シスで開発）",
)
PAIN_NOTES = (
    "保守切れで更改が必須",
    "監査指摘への是正期限がある",
    "担当者の退職で業務が回らない",
    "繁忙期に処理が追いつかない",
    "経営層がデータの遅さに不満",
    "顧客クレームが増えている",
)
CHAMPION_NAMES = (
    "情報システム部 佐藤課長",
    "経営企画室 田中部長",
    "総務部 鈴木次長",
    "DX推進室 高橋主任",
    "生産管理課 伊藤課長",
    "事務局 渡辺係長",
    "営業企画部 山本課長",
    "業務改革室 中村課長",
)
CHAMPION_NONE_NOTE = "社内推進者は不在（窓口は情報収集のみ）"
CHAMPION_COACH_NOTE = "情報はくれるが社内を動かす立場にない"
CHAMPION_LEFT_NOTE = "推進役だった担当者が異動し、後任は未定"

# Decision process (ringi) notes per pattern R1–R8 (DESIGN §6).
RINGI_NOTES = {
    "R1": "部門長の決裁・予算内のため部門で専決",
    "R2": "情シス・法務・購買の合議を経て部長決裁",
    "R3": "担当役員の決裁（稟議は役員まで回付）",
    "R4": "経営会議への付議が必要（月次開催）",
    "R5": "投資額が基準を超えるため取締役会決議",
    "R6": "オーナー社長がトップダウンで即決",
    "R7": "今期予算なし。来期予算化してから稟議",
    "R8": "親会社の承認が必要",
}
RINGI_NOTE_TENDER = "一般競争入札。仕様書の作成から支援が必要"

# Champion log: the next step written after each kind of activity.
NEXT_STEPS = {
    ActivityType.INTERNAL_BRIEFING: (
        "部内説明会の反応をヒアリング",
        "現場リーダー向けにデモを実施",
        "説明資料を先方用に修正して送付",
    ),
    ActivityType.DRAFTED_RINGI: (
        "稟議書ドラフトに費用対効果を追記",
        "稟議の回付状況を週次で確認",
        "法務からの質問に回答する",
    ),
    ActivityType.BRIEFED_ECONOMIC_BUYER: (
        "部長からの追加質問に回答",
        "役員向け説明資料を作成",
        "決裁者との面談日程を調整",
    ),
    ActivityType.BUDGET_REQUEST: (
        "来期予算申請書の数字を確認",
        "概算見積を予算申請用に再提出",
        "予算ヒアリングの結果を共有いただく",
    ),
    ActivityType.SHARED_CRITERIA: (
        "評価項目表に当社回答を記入",
        "比較表をもとに強みを再整理",
        "評価会の日程を確定",
    ),
    ActivityType.SHARED_COMPETITOR_INFO: (
        "競合の見積条件を踏まえ価格を再検討",
        "差別化ポイントを1枚にまとめる",
        "競合比較のQ&Aを用意",
    ),
    ActivityType.SET_MEETING: (
        "情シス部長との打合せを設定",
        "現場担当者向けデモの日程調整",
        "キックオフ会議の議題を共有",
    ),
}

# Registration workflow reasons (the channel manager's words to the partner).
RETURN_REASONS = (
    "顧客の正式名称と法人番号を確認のうえ、再申請してください。",
    "提案理由が抽象的です。顧客の課題を具体的に書いてください。",
    "決裁者の情報が未記入です。把握している範囲で追記してください。",
    "金額の根拠（ライセンス数など）を追記してください。",
)
REJECT_REASONS = (
    "当社の販売対象外（個人事業主）の案件のため登録できません。",
    "同一顧客について別案件で登録済みのため、そちらを更新してください。",
    "案件の実在を確認できなかったため、登録を見送ります。",
)
CONFLICT_NOTE = "先に登録され、顧客との接点も深い案件を優先します。"

LOSS_WEIGHTS = {
    LossType.COMPETITOR: 35,
    LossType.NO_DECISION: 25,
    LossType.BUDGET_FROZEN: 15,
    LossType.RINGI_REJECTED: 12,
    LossType.UNKNOWN: 13,
}

# Registration conflicts: the same customer registered by two partners, spelled differently (or under another
# name with the same corporate number). (industry, first partner's spelling, second partner's spelling, same number)
CONFLICT_CASES = (
    (Industry.MANUFACTURING, "北辰精機株式会社", "㈱北辰精機", False),
    (Industry.RETAIL, "株式会社みなと商事", "(株)みなと商事", False),
    (Industry.MANUFACTURING, "株式会社東邦精密", "東邦精密工業株式会社", True),
    (Industry.IT_TELECOM, "Skylark Systems Japan K.K.", "SKYLARK SYSTEMS JAPAN Inc.", False),
    (Industry.HEALTHCARE, "医療法人社団すずらん会", "医療法人社団 すずらん会", False),
)
# The conflict a channel manager has already settled (half-width katakana in the second spelling).
RESOLVED_CONFLICT_CASE = (Industry.LOGISTICS, "株式会社サンライズ物流", "ｻﾝﾗｲｽﾞ物流(株)", False)
