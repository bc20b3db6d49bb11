//! Seeded, deterministic data store. Tables are keyed by resource path (`"spots"`, ...) and hold
//! JSON objects keyed by their id. Fields whose name starts with `_` are internal and never rendered.

use super::util::{day_start, fmt_dt, png_checker, Rng, DAY};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub type Obj = Map<String, Value>;
pub type Table = BTreeMap<String, Obj>;

pub const N_USERS: usize = 450;
pub const N_SPOTS: usize = 430;
pub const N_HISTORIES: usize = 1000;
pub const N_TRACKINGS: usize = 600;
pub const N_REPORTS: usize = 900;
pub const N_SCHEDULES: usize = 900;

pub struct Store {
    pub tables: BTreeMap<&'static str, Table>,
    /// image_id -> PNG bytes
    pub images: BTreeMap<String, Vec<u8>>,
    /// Source of ids for objects created through the API.
    pub rng: Rng,
    pub anchor: i64,
    /// Start (00:00:00 UTC) of the day on which `/schedules` answers 500 for windows wider than a day.
    pub schedules_bug_day: i64,
    /// User the API acts as (`create_user_id` of spots created through the API).
    pub api_user_id: String,
}

fn obj(v: Value) -> Obj {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("object literal expected"),
    }
}

const SURNAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
];
const GIVEN: &[&str] = &[
    "太郎",
    "花子",
    "一郎",
    "健太",
    "翔太",
    "美咲",
    "陽菜",
    "大輔",
    "直樹",
    "由美",
    "恵子",
    "誠",
    "拓也",
    "彩",
    "悠斗",
    "結衣",
    "蓮",
    "さくら",
    "浩二",
    "真由美",
];
/// (ward, [towns], lat, lon)
const WARDS: &[(&str, &[&str], f64, f64)] = &[
    (
        "千代田区",
        &["丸の内", "大手町", "神田小川町"],
        35.694,
        139.754,
    ),
    ("中央区", &["銀座", "日本橋", "八重洲"], 35.671, 139.772),
    ("港区", &["芝浦", "赤坂", "六本木"], 35.658, 139.751),
    ("新宿区", &["西新宿", "四谷", "高田馬場"], 35.694, 139.703),
    ("文京区", &["本郷", "小石川", "湯島"], 35.708, 139.752),
    ("台東区", &["上野", "浅草", "蔵前"], 35.713, 139.780),
    ("墨田区", &["錦糸", "押上", "両国"], 35.711, 139.801),
    ("江東区", &["豊洲", "亀戸", "門前仲町"], 35.673, 139.817),
    ("品川区", &["大崎", "五反田", "東品川"], 35.609, 139.730),
    ("目黒区", &["中目黒", "自由が丘", "目黒"], 35.641, 139.698),
    ("渋谷区", &["道玄坂", "恵比寿", "代々木"], 35.664, 139.698),
    ("中野区", &["中野", "東中野", "野方"], 35.707, 139.664),
    ("杉並区", &["高円寺南", "阿佐谷北", "荻窪"], 35.700, 139.636),
    ("豊島区", &["東池袋", "南大塚", "目白"], 35.726, 139.716),
    ("北区", &["王子", "赤羽", "田端"], 35.753, 139.734),
    ("荒川区", &["西日暮里", "南千住", "町屋"], 35.736, 139.783),
    ("板橋区", &["板橋", "大山町", "成増"], 35.751, 139.709),
    ("練馬区", &["豊玉北", "石神井町", "光が丘"], 35.736, 139.652),
    ("足立区", &["千住", "綾瀬", "西新井"], 35.775, 139.805),
    ("葛飾区", &["亀有", "金町", "立石"], 35.744, 139.847),
    ("江戸川区", &["西葛西", "小岩", "船堀"], 35.707, 139.868),
];
/// (name, kana)
const SPOT_PREFIX: &[(&str, &str)] = &[
    ("青葉", "アオバ"),
    ("旭", "アサヒ"),
    ("東邦", "トウホウ"),
    ("大和", "ヤマト"),
    ("富士", "フジ"),
    ("光", "ヒカリ"),
    ("三和", "サンワ"),
    ("中央", "チュウオウ"),
    ("日の出", "ヒノデ"),
    ("丸栄", "マルエイ"),
    ("新星", "シンセイ"),
    ("さくら", "サクラ"),
    ("協和", "キョウワ"),
    ("平和", "ヘイワ"),
    ("銀河", "ギンガ"),
];
const SPOT_KIND: &[(&str, &str)] = &[
    ("商事", "ショウジ"),
    ("工業", "コウギョウ"),
    ("薬局", "ヤッキョク"),
    ("建設", "ケンセツ"),
    ("不動産", "フドウサン"),
    ("食品", "ショクヒン"),
    ("電機", "デンキ"),
    ("クリニック", "クリニック"),
    ("物流", "ブツリュウ"),
    ("印刷", "インサツ"),
];
const GROUPS: &[&str] = &[
    "本社",
    "東京営業部",
    "営業一課",
    "営業二課",
    "営業三課",
    "城東支店",
    "城西支店",
    "城南支店",
    "城北支店",
    "サービス部",
    "保守課",
    "管理部",
];
const USER_TAGS: &[&str] = &[
    "管理者",
    "営業",
    "技術",
    "新人",
    "リーダー",
    "パート",
    "外勤",
    "内勤",
    "研修中",
    "契約社員",
];
const SPOT_TAGS: &[&str] = &[
    "重要顧客",
    "新規",
    "既存",
    "休眠",
    "見込み",
    "代理店",
    "要訪問",
    "月次訪問",
    "週次訪問",
    "大口",
    "小口",
    "官公庁",
    "医療",
    "飲食",
    "小売",
    "製造",
    "建設",
    "不動産",
    "IT",
    "教育",
];
const STATUSES: &[&str] = &["訪問中", "移動中", "休憩中", "事務作業", "直行", "直帰"];
const ACTION_TYPES: &[&str] = &[
    "訪問",
    "電話",
    "メール",
    "打合せ",
    "デモ",
    "納品",
    "点検",
    "その他",
];
const COMMENTS: &[&str] = &[
    "訪問しました",
    "商談中です",
    "移動を開始します",
    "休憩に入ります",
    "帰社しました",
    "",
    "見積を提出",
    "担当者不在のため再訪予定",
    "点検完了",
    "納品完了",
];
const STATIONS: &[&str] = &[
    "東京",
    "新宿",
    "渋谷",
    "池袋",
    "品川",
    "上野",
    "秋葉原",
    "大手町",
    "銀座",
    "六本木",
    "中野",
    "北千住",
];
const LINES: &[&str] = &[
    "JR山手線",
    "東京メトロ丸ノ内線",
    "東京メトロ銀座線",
    "都営浅草線",
    "JR中央線",
    "東急東横線",
];
const PRODUCTS: &[&str] = &[
    "複合機",
    "業務用PC",
    "防犯カメラ",
    "LED照明",
    "空調設備",
    "クラウド勤怠",
];
const IMAGE_COLOURS: &[([u8; 3], [u8; 3])] = &[
    ([220, 40, 40], [255, 255, 255]),
    ([40, 120, 220], [255, 255, 255]),
    ([40, 160, 80], [240, 240, 200]),
    ([250, 180, 30], [60, 60, 60]),
    ([120, 60, 180], [230, 230, 250]),
    ([0, 150, 150], [250, 250, 250]),
    ([200, 100, 50], [30, 30, 30]),
    ([90, 90, 90], [200, 200, 200]),
];

#[derive(Clone, Copy)]
enum ItemKind {
    Text,
    Number,
    Select,
    Checkbox,
    Location,
    Photo,
    Date,
}

const REPORT_DEFS: &[(&str, &[(&str, ItemKind)])] = &[
    (
        "日報",
        &[
            ("作業内容", ItemKind::Text),
            ("作業時間", ItemKind::Number),
            ("所感", ItemKind::Text),
        ],
    ),
    (
        "訪問報告書",
        &[
            ("訪問先担当者", ItemKind::Text),
            ("商談内容", ItemKind::Text),
            ("提案商品", ItemKind::Checkbox),
            ("訪問場所", ItemKind::Location),
            ("次回訪問予定", ItemKind::Date),
        ],
    ),
    (
        "点検報告書",
        &[
            ("点検項目", ItemKind::Checkbox),
            ("点検結果", ItemKind::Select),
            ("現場写真", ItemKind::Photo),
            ("備考", ItemKind::Text),
        ],
    ),
    (
        "クレーム報告",
        &[
            ("内容", ItemKind::Text),
            ("重要度", ItemKind::Select),
            ("対応状況", ItemKind::Select),
        ],
    ),
    (
        "見積依頼",
        &[
            ("品目", ItemKind::Checkbox),
            ("数量", ItemKind::Number),
            ("希望納期", ItemKind::Date),
        ],
    ),
    (
        "納品報告",
        &[
            ("納品物", ItemKind::Text),
            ("受領者", ItemKind::Text),
            ("納品写真", ItemKind::Photo),
            ("納品場所", ItemKind::Location),
        ],
    ),
];

fn kind_name(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Text => "text",
        ItemKind::Number => "number",
        ItemKind::Select => "select",
        ItemKind::Checkbox => "checkbox",
        ItemKind::Location => "location",
        ItemKind::Photo => "photo",
        ItemKind::Date => "date",
    }
}

/// A point inside one of the 23 wards: (address, lat, lon).
fn place(rng: &mut Rng) -> (String, f64, f64) {
    let (ward, towns, lat, lon) = *rng.pick(WARDS);
    let town = rng.pick(towns);
    let addr = format!(
        "東京都{ward}{town}{}丁目{}-{}",
        rng.range(1, 6),
        rng.range(1, 30),
        rng.range(1, 20)
    );
    let la = round6(lat + (rng.f64() - 0.5) * 0.02);
    let lo = round6(lon + (rng.f64() - 0.5) * 0.02);
    (addr, la, lo)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

struct UserInfo {
    id: String,
    name: String,
    group: String,
}

impl Store {
    pub fn table(&self, name: &str) -> &Table {
        self.tables
            .get(name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }
    pub fn table_mut(&mut self, name: &str) -> &mut Table {
        self.tables
            .get_mut(name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }
    pub fn new_id(&mut self) -> String {
        self.rng.hex32()
    }

    /// Seed everything. `anchor` is the end of the "past" data (histories, reports, spot updates).
    pub fn generate(seed: u64, anchor: i64) -> Store {
        let mut rng = Rng::new(seed);
        let mut t: BTreeMap<&'static str, Table> = BTreeMap::new();
        for name in super::resources::TABLES {
            t.insert(name, Table::new());
        }
        macro_rules! put {
            ($table:expr, $id:expr, $v:expr) => {
                t.get_mut($table).unwrap().insert($id.clone(), obj($v));
            };
        }

        // groups
        let mut groups: Vec<(String, String)> = Vec::new();
        for (i, name) in GROUPS.iter().enumerate() {
            let id = rng.hex32();
            let join: String = (0..8)
                .map(|_| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[rng.below(32) as usize] as char)
                .collect();
            put!(
                "groups",
                id,
                json!({"group_id": id, "group_join_id": join, "group_code": format!("G{:03}", i + 1), "group_name": name})
            );
            groups.push((id, name.to_string()));
        }

        // user tags
        let mut user_tags = Vec::new();
        for name in USER_TAGS {
            let id = rng.hex32();
            put!(
                "user_tags",
                id,
                json!({"user_tag_id": id, "user_tag_name": name})
            );
            user_tags.push(id);
        }

        // users + affiliations
        let mut users: Vec<UserInfo> = Vec::new();
        for i in 0..N_USERS {
            let id = rng.hex32();
            let name = person(&mut rng);
            let status = if rng.chance(0.05) { 0 } else { 1 };
            let tags: Vec<Value> = (0..rng.below(3))
                .map(|_| rng.pick(&user_tags).clone())
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .map(Value::String)
                .collect();
            put!(
                "users",
                id,
                json!({
                    "user_id": id,
                    "user_login_id": format!("user{:04}@sandbox.cyzen.example", i + 1),
                    "user_code": format!("U{:05}", i + 1),
                    "user_name": name,
                    "account_status": status,
                    "_user_tag_ids": tags,
                })
            );
            let g1 = rng.below(groups.len() as u64) as usize;
            let aff = rng.hex32();
            put!(
                "user_affiliations",
                aff,
                json!({"user_affiliation_id": aff, "user_id": id, "group_id": groups[g1].0})
            );
            if rng.chance(0.3) {
                let g2 = (g1 + 1 + rng.below(groups.len() as u64 - 1) as usize) % groups.len();
                let aff = rng.hex32();
                put!(
                    "user_affiliations",
                    aff,
                    json!({"user_affiliation_id": aff, "user_id": id, "group_id": groups[g2].0})
                );
            }
            users.push(UserInfo {
                id,
                name,
                group: groups[g1].0.clone(),
            });
        }
        let api_user_id = users[0].id.clone();

        // statuses per group
        let mut statuses_by_group: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (gid, _) in &groups {
            for name in STATUSES.iter().take(4 + rng.below(3) as usize) {
                let id = rng.hex32();
                put!(
                    "statuses",
                    id,
                    json!({"status_id": id, "group_id": gid, "status_name": name})
                );
                statuses_by_group
                    .entry(gid.clone())
                    .or_default()
                    .push((id, name.to_string()));
            }
        }

        // action types
        for name in ACTION_TYPES {
            let id = rng.hex32();
            put!(
                "action_types",
                id,
                json!({"action_type_id": id, "action_type_name": name})
            );
        }

        // spot tags
        let mut spot_tags = Vec::new();
        for name in SPOT_TAGS {
            let id = rng.hex32();
            let gid = &rng.pick(&groups).0;
            put!(
                "spot_tags",
                id,
                json!({"spot_tag_id": id, "group_id": gid, "spot_tag_name": name})
            );
            spot_tags.push(id);
        }

        // spots + tag links
        struct SpotInfo {
            id: String,
            name: String,
            address: String,
            lat: f64,
            lon: f64,
        }
        let mut spots: Vec<SpotInfo> = Vec::new();
        for i in 0..N_SPOTS {
            let id = rng.hex32();
            let (p, pk) = *rng.pick(SPOT_PREFIX);
            let (k, kk) = *rng.pick(SPOT_KIND);
            let (address, lat, lon) = place(&mut rng);
            let branch = address
                .trim_start_matches("東京都")
                .chars()
                .take_while(|c| *c != '区')
                .collect::<String>();
            let name = format!("株式会社{p}{k} {branch}店");
            let kana = format!("カブシキガイシャ{pk}{kk}");
            let created = anchor - 400 * DAY + rng.range(0, 340 * DAY);
            let updated = anchor - 60 * DAY + rng.range(0, 60 * DAY);
            let extend = if rng.chance(0.2) {
                json!({"customer_rank": *rng.pick(&["A", "B", "C"]), "visit_interval_days": rng.range(7, 60)})
            } else {
                Value::Null
            };
            put!(
                "spots",
                id,
                json!({
                    "spot_id": id,
                    "spot_code": format!("S{:06}", i + 1),
                    "spot_name": name,
                    "spot_name_kana": kana,
                    "zip_code": format!("1{:02}-{:04}", rng.range(0, 100), rng.range(0, 10000)),
                    "tel": format!("03-{:04}-{:04}", rng.range(1000, 10000), rng.range(0, 10000)),
                    "fax": if rng.chance(0.5) { format!("03-{:04}-{:04}", rng.range(1000, 10000), rng.range(0, 10000)) } else { String::new() },
                    "address": address,
                    "latitude": lat,
                    "longitude": lon,
                    "valid_from": fmt_dt(day_start(created)),
                    "valid_to": if rng.chance(0.1) { Value::String(fmt_dt(anchor + 365 * DAY - 1)) } else { Value::Null },
                    "url": if rng.chance(0.4) { format!("https://example.jp/spots/S{:06}", i + 1) } else { String::new() },
                    "comment": *rng.pick(&["", "駐車場あり", "受付で要記帳", "午前中の訪問を希望", "担当者変更あり"]),
                    "create_user_id": rng.pick(&users).id,
                    "group_id": rng.pick(&groups).0,
                    "extend_data": extend,
                    "created_at": fmt_dt(created),
                    "updated_at": fmt_dt(updated),
                })
            );
            let mut used = std::collections::BTreeSet::new();
            for _ in 0..rng.below(3) {
                let tag = rng.pick(&spot_tags).clone();
                if used.insert(tag.clone()) {
                    let lid = rng.hex32();
                    put!(
                        "spot_tag_links",
                        lid,
                        json!({"spot_tag_link_id": lid, "spot_id": id, "spot_tag_id": tag})
                    );
                }
            }
            spots.push(SpotInfo {
                id,
                name,
                address,
                lat,
                lon,
            });
        }

        // spot customers and staff
        for _ in 0..150 {
            let id = rng.hex32();
            let s = rng.pick(&spots);
            put!(
                "spot_customers",
                id,
                json!({
                    "spot_customer_id": id,
                    "spot_id": s.id,
                    "customer_name": person(&mut rng),
                    "department": *rng.pick(&["総務部", "購買部", "営業部", "施設管理課", "経理部"]),
                    "position": *rng.pick(&["部長", "課長", "係長", "主任", "担当"]),
                    "tel": format!("03-{:04}-{:04}", rng.range(1000, 10000), rng.range(0, 10000)),
                    "email": format!("contact{:03}@customer.example.jp", rng.range(1, 1000)),
                })
            );
        }
        for _ in 0..200 {
            let id = rng.hex32();
            let s = &rng.pick(&spots).id;
            let u = &rng.pick(&users).id;
            put!(
                "spot_staffs",
                id,
                json!({"spot_staff_id": id, "spot_id": s, "user_id": u})
            );
        }

        // images
        let mut images = BTreeMap::new();
        let mut image_ids = Vec::new();
        for (a, b) in IMAGE_COLOURS {
            let id = rng.hex32();
            images.insert(id.clone(), png_checker(16, *a, *b));
            image_ids.push(id);
        }

        // spot photos, photo tags, photo metadata
        let mut photo_ids = Vec::new();
        for i in 0..120 {
            let id = rng.hex32();
            let s = rng.pick(&spots);
            let taken = anchor - rng.range(DAY, 200 * DAY);
            put!(
                "spot_photos",
                id,
                json!({
                    "spot_photo_id": id,
                    "spot_id": s.id,
                    "image_id": rng.pick(&image_ids),
                    "user_id": rng.pick(&users).id,
                    "comment": *rng.pick(&["外観", "入口", "看板", "設置状況", "点検箇所", ""]),
                    "created_at": fmt_dt(taken),
                })
            );
            put!(
                "spot_photo_metadata",
                id,
                json!({
                    "spot_photo_id": id,
                    "title": format!("写真{:03}", i + 1),
                    "description": "",
                    "taken_at": fmt_dt(taken),
                    "latitude": round6(s.lat + (rng.f64() - 0.5) * 0.001),
                    "longitude": round6(s.lon + (rng.f64() - 0.5) * 0.001),
                })
            );
            photo_ids.push(id);
        }
        for _ in 0..150 {
            let id = rng.hex32();
            let p = rng.pick(&photo_ids);
            put!(
                "spot_photo_tags",
                id,
                json!({"spot_photo_tag_id": id, "spot_photo_id": p, "spot_photo_tag_name": *rng.pick(&["外観", "内観", "設備", "看板", "要確認"])})
            );
        }

        // spot classification structure definitions (two levels) and classifications
        let mut cls_defs: Vec<String> = Vec::new();
        let top = [("業種", 1), ("規模", 1)];
        for (name, level) in top {
            let id = rng.hex32();
            put!(
                "spot_classification_definitions",
                id,
                json!({"spot_classification_definition_id": id, "spot_classification_definition_name": name, "parent_id": null, "level": level})
            );
            cls_defs.push(id);
        }
        for (name, parent) in [
            ("製造業", 0),
            ("小売業", 0),
            ("医療・福祉", 0),
            ("大企業", 1),
            ("中小企業", 1),
            ("個人事業", 1),
        ] {
            let id = rng.hex32();
            put!(
                "spot_classification_definitions",
                id,
                json!({"spot_classification_definition_id": id, "spot_classification_definition_name": name, "parent_id": cls_defs[parent], "level": 2})
            );
        }
        let leaf_defs: Vec<String> = t["spot_classification_definitions"]
            .values()
            .filter(|o| o["level"] == 2)
            .map(|o| {
                o["spot_classification_definition_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for _ in 0..100 {
            let id = rng.hex32();
            let s = &rng.pick(&spots).id;
            let d = rng.pick(&leaf_defs);
            put!(
                "spot_classifications",
                id,
                json!({"spot_classification_id": id, "spot_id": s, "spot_classification_definition_id": d})
            );
        }

        // report definitions + reports
        let mut defs = Vec::new();
        for (name, items) in REPORT_DEFS {
            let id = rng.hex32();
            let items_json: Vec<Value> = items
                .iter()
                .map(|(n, k)| json!({"item_name": n, "item_type": kind_name(*k)}))
                .collect();
            put!(
                "report_definitions",
                id,
                json!({"report_definition_id": id, "report_definition_name": name, "report_definition_items": items_json})
            );
            defs.push((id, *name, *items));
        }
        for _ in 0..N_REPORTS {
            let id = rng.hex32();
            let (def_id, def_name, items) = rng.pick(&defs).clone();
            let u = rng.pick(&users);
            let s = rng.pick(&spots);
            let created = anchor - 14 * DAY + rng.range(0, 14 * DAY);
            let updated = (created
                + if rng.chance(0.3) {
                    rng.range(60, 6 * 3600)
                } else {
                    0
                })
            .min(anchor - 1);
            let report_items: Vec<Value> = items
                .iter()
                .map(|(n, k)| {
                    let v = match k {
                        ItemKind::Text if n.ends_with("者") => json!(person(&mut rng)),
                        ItemKind::Text if n.contains("物") => json!(*rng.pick(PRODUCTS)),
                        ItemKind::Text => json!(*rng.pick(COMMENTS)),
                        ItemKind::Number => json!(rng.range(1, 100).to_string()),
                        ItemKind::Select => json!(*rng.pick(&["良好", "要対応", "対応済", "高", "中", "低"])),
                        ItemKind::Checkbox => {
                            let n = 1 + rng.below(3) as usize;
                            let start = rng.below(PRODUCTS.len() as u64) as usize;
                            json!((0..n).map(|i| PRODUCTS[(start + i) % PRODUCTS.len()]).collect::<Vec<_>>())
                        }
                        ItemKind::Location => json!({"latitude": s.lat, "longitude": s.lon, "address": s.address}),
                        ItemKind::Photo => {
                            json!({"image_id": rng.pick(&image_ids), "file_name": format!("IMG_{:04}.png", rng.range(1, 10000))})
                        }
                        ItemKind::Date => json!(fmt_dt(day_start(created) + rng.range(1, 30) * DAY)),
                    };
                    json!({"item_name": n, "item_value": v})
                })
                .collect();
            put!(
                "reports",
                id,
                json!({
                    "report_id": id,
                    "report_definition_id": def_id,
                    "report_definition_name": def_name,
                    "user_id": u.id,
                    "user_name": u.name,
                    "group_id": u.group,
                    "spot_id": s.id,
                    "spot_name": s.name,
                    "created_at": fmt_dt(created),
                    "updated_at": fmt_dt(updated),
                    "report_items": report_items,
                })
            );
        }

        // histories (check-ins); two of three spell the creation time `create_at`
        for i in 0..N_HISTORIES {
            let id = rng.hex32();
            let u = rng.pick(&users);
            let st = rng.pick(&statuses_by_group[&u.group]).0.clone();
            let (addr, lat, lon) = place(&mut rng);
            let created = anchor - 30 * DAY + rng.range(0, 30 * DAY);
            let key = if i % 3 == 0 {
                "created_at"
            } else {
                "create_at"
            };
            let mut o = obj(json!({
                "history_id": id,
                "user_id": u.id,
                "group_id": u.group,
                "status_id": st,
                "history_comment": *rng.pick(COMMENTS),
                "address": addr,
                "history_latitude": lat,
                "history_longitude": lon,
                "history_accuracy": rng.range(5, 120),
                "updated_at": fmt_dt(created + if rng.chance(0.1) { rng.range(60, 3600) } else { 0 }),
            }));
            o.insert(key.to_string(), json!(fmt_dt(created)));
            t.get_mut("histories").unwrap().insert(id, o);
        }

        // trackings (auto-recorded locations)
        for _ in 0..N_TRACKINGS {
            let id = rng.hex32();
            let u = &rng.pick(&users).id;
            let (_, lat, lon) = place(&mut rng);
            let created = anchor - 30 * DAY + rng.range(0, 30 * DAY);
            put!(
                "trackings",
                id,
                json!({
                    "tracking_id": id,
                    "user_id": u,
                    "tracking_latitude": lat,
                    "tracking_longitude": lon,
                    "tracking_accuracy": rng.range(5, 200),
                    "create_at": fmt_dt(created),
                })
            );
        }

        // latest location per user
        for u in &users {
            let (addr, lat, lon) = place(&mut rng);
            let (st, st_name) = rng.pick(&statuses_by_group[&u.group]).clone();
            let h_at = anchor - rng.range(60, 3 * DAY);
            let t_at = (h_at + rng.range(0, 3 * 3600)).min(anchor - 1);
            put!(
                "members_statuses",
                u.id,
                json!({
                    "user_id": u.id,
                    "user_name": u.name,
                    "history": {
                        "history_id": rng.hex32(),
                        "status_id": st,
                        "status_name": st_name,
                        "history_comment": *rng.pick(COMMENTS),
                        "address": addr,
                        "history_latitude": lat,
                        "history_longitude": lon,
                        "history_accuracy": rng.range(5, 120),
                        "create_at": fmt_dt(h_at),
                    },
                    "tracking": {
                        "tracking_latitude": round6(lat + (rng.f64() - 0.5) * 0.004),
                        "tracking_longitude": round6(lon + (rng.f64() - 0.5) * 0.004),
                        "tracking_accuracy": rng.range(5, 200),
                        "create_at": fmt_dt(t_at),
                    },
                })
            );
        }

        // schedules + members
        let schedules_bug_day = day_start(anchor) - 3 * DAY;
        for _ in 0..N_SCHEDULES {
            let id = rng.hex32();
            let all_day = rng.chance(0.05);
            let start = if all_day {
                day_start(anchor) - 7 * DAY + rng.range(0, 14) * DAY
            } else {
                day_start(anchor) - 7 * DAY + rng.range(0, 14 * 96) * 900
            };
            let end = if all_day {
                start + DAY - 1
            } else {
                start + rng.range(2, 13) * 900
            };
            let created = start - rng.range(3600, 10 * DAY);
            let deleted = rng.chance(0.05);
            let u = rng.pick(&users);
            let (title, category, place_v) = if rng.chance(0.7) {
                let s = rng.pick(&spots);
                (
                    format!("{} 訪問", s.name),
                    "訪問",
                    json!({"spot_id": s.id, "address": s.address, "latitude": s.lat, "longitude": s.lon}),
                )
            } else {
                let title = *rng.pick(&["定例会議", "社内研修", "書類作成", "展示会準備", "1on1"]);
                (
                    title.to_string(),
                    if title == "書類作成" {
                        "作業"
                    } else {
                        "会議"
                    },
                    json!({"spot_id": null, "address": "東京都中央区銀座三丁目4番1号", "latitude": 35.6717, "longitude": 139.7670}),
                )
            };
            let actual = if start < anchor && !deleted && rng.chance(0.7) {
                let a = start + rng.range(-600, 900);
                json!({"actual_start_date": fmt_dt(a), "actual_end_date": fmt_dt(a + (end - start) + rng.range(-600, 1800))})
            } else {
                Value::Null
            };
            put!(
                "schedules",
                id,
                json!({
                    "schedule_id": id,
                    "group_id": u.group,
                    "title": title,
                    "detail": *rng.pick(&["", "資料持参", "前回の見積について説明", "オンライン併用", "駐車場予約済み"]),
                    "start_date": fmt_dt(start),
                    "end_date": fmt_dt(end),
                    "all_day": if all_day { 1 } else { 0 },
                    "place": place_v,
                    "schedule_category": category,
                    "created_at": fmt_dt(created),
                    "updated_at": fmt_dt(created),
                    "deleted_at": if deleted { Value::String(fmt_dt(created + 1800)) } else { Value::Null },
                    "_actual": actual,
                })
            );
            let mut members = std::collections::BTreeSet::new();
            members.insert(u.id.clone());
            for _ in 0..rng.below(3) {
                members.insert(rng.pick(&users).id.clone());
            }
            for m in members {
                let mid = rng.hex32();
                put!(
                    "schedule_members",
                    mid,
                    json!({"schedule_member_id": mid, "schedule_id": id, "user_id": m})
                );
            }
        }

        // transport expenses
        for _ in 0..250 {
            let id = rng.hex32();
            let u = &rng.pick(&users).id;
            let from = *rng.pick(STATIONS);
            let mut to = *rng.pick(STATIONS);
            if to == from {
                to = "東京";
            }
            let round_trip = rng.chance(0.5);
            let fare = rng.range(14, 50) * 10;
            put!(
                "transport_expenses",
                id,
                json!({
                    "transport_expense_id": id,
                    "user_id": u,
                    "use_date": fmt_dt(day_start(anchor) - rng.range(1, 60) * DAY),
                    "departure": from,
                    "arrival": to,
                    "route": *rng.pick(LINES),
                    "round_trip": if round_trip { 1 } else { 0 },
                    "amount": if round_trip { fare * 2 } else { fare },
                    "purpose": *rng.pick(&["顧客訪問", "会議", "納品", "点検"]),
                })
            );
        }

        Store {
            tables: t,
            images,
            rng: Rng::new(seed ^ 0xC0FF_EE00_D15E_A5E5),
            anchor,
            schedules_bug_day,
            api_user_id,
        }
    }
}
