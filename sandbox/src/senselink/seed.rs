//! Seeded tenant: a few hundred persons with Japanese names, groups, a department tree,
//! synthetic face photos and a month of recognition records. Same seed → same data and ids.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::store::*;
use crate::common::png::synthetic_png;
use crate::common::rng::SplitMix64;

/// Fixed "now" of the seeded history (2025-04-01 00:00:00 JST), so data does not depend on
/// when the sandbox starts.
pub const SEED_EPOCH: i64 = 1_743_433_200;

const EMPLOYEES: usize = 240;
const VISITORS: usize = 50;
const DENY_LIST_DIRECT: usize = 8;
const DENY_LIST_MOVED_IN: usize = 4;
const RECORDS: usize = 400;

const FAMILY_NAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木",
    "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川",
    "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤",
    "青木", "坂本",
];
const MALE_NAMES: &[&str] = &[
    "太郎", "翔太", "蓮", "大輝", "健太", "拓海", "悠斗", "直樹", "亮", "誠", "浩二", "和也", "隆", "健一",
    "大介", "陽翔", "湊", "樹", "一郎", "修",
];
const FEMALE_NAMES: &[&str] = &[
    "花子", "陽菜", "結衣", "美咲", "彩", "さくら", "葵", "愛", "真央", "由美", "恵", "智子", "裕子",
    "明美", "舞", "凛", "芽依", "千尋", "直美", "香織",
];
const POSITIONS: &[&str] = &["部長", "課長", "係長", "主任", "一般", "一般", "一般"];
const LOCATIONS: &[&str] = &["東京本社", "大阪支社", "名古屋工場", "福岡営業所"];
const REMARKS: &[&str] = &["", "", "", "契約社員", "派遣社員", "在宅勤務中心", "入館カード再発行済み"];
const GUEST_COMPANIES: &[&str] = &[
    "株式会社山田商事", "東都電機株式会社", "有限会社みなと物流", "北斗システム株式会社", "さくら設備工業",
];
const GUEST_PURPOSES: &[&str] = &["打ち合わせ", "納品", "面接", "設備点検", "見学"];

/// Builds the seeded tenant.
pub fn seeded_store(seed: u64) -> Store {
    let mut ids = SplitMix64::derive(seed, "ids");
    let group_base = 10 + ids.below(90) as i64;
    let department_base = 100 + ids.below(100) as i64 * 10;
    let person_base = 60_000 + ids.below(20_000) as i64;
    let record_base = 1_000_000 + ids.below(1_000_000) as i64;
    let device_base = 500 + ids.below(500) as i64;

    let mut store = Store {
        persons: BTreeMap::new(),
        groups: BTreeMap::new(),
        departments: BTreeMap::new(),
        photos: HashMap::new(),
        image_updates: Vec::new(),
        records: Vec::new(),
        devices: Vec::new(),
        rng: SplitMix64::derive(seed, "runtime"),
        next_person_id: person_base,
        next_group_id: group_base,
        next_record_id: record_base,
    };

    let group_specs: &[(&str, u8, &str)] = &[
        ("Default group", GROUP_EMPLOYEE, "全従業員"),
        ("本社スタッフ", GROUP_EMPLOYEE, ""),
        ("開発チーム", GROUP_EMPLOYEE, "開発フロア入館可"),
        ("工場スタッフ", GROUP_EMPLOYEE, ""),
        ("夜間入館許可", GROUP_EMPLOYEE, "22時以降の入館"),
        ("Default group", GROUP_VISITOR, "来訪者"),
        ("来客 (本社)", GROUP_VISITOR, ""),
        ("協力業者", GROUP_VISITOR, ""),
        ("デフォルト拒否リスト", GROUP_DENY_LIST, ""),
    ];
    for (i, (name, kind, remark)) in group_specs.iter().enumerate() {
        let id = store.next_group_id;
        store.next_group_id += 1;
        let at = SEED_EPOCH - 400 * 86_400 + i as i64 * 3600;
        store.groups.insert(
            id,
            Group { id, name: name.to_string(), kind: *kind, remark: remark.to_string(), create_at: at, update_at: at },
        );
    }
    let groups_of = |kind: u8| -> Vec<i64> {
        group_specs
            .iter()
            .enumerate()
            .filter(|(_, (_, k, _))| *k == kind)
            .map(|(i, _)| group_base + i as i64)
            .collect()
    };
    let employee_groups = groups_of(GROUP_EMPLOYEE);
    let visitor_groups = groups_of(GROUP_VISITOR);
    let deny_groups = groups_of(GROUP_DENY_LIST);

    // Department tree: three divisions with their departments.
    type Division = (&'static str, &'static str, &'static [(&'static str, &'static str)]);
    let tree: &[Division] = &[
        ("営業本部", "D100", &[("東日本営業部", "D110"), ("西日本営業部", "D120")]),
        ("開発本部", "D200", &[("第一開発部", "D210"), ("第二開発部", "D220"), ("品質保証部", "D230")]),
        ("管理本部", "D300", &[("人事部", "D310"), ("総務部", "D320"), ("経理部", "D330")]),
    ];
    let mut next_department = department_base;
    let mut leaf_departments = Vec::new();
    for (name, code, children) in tree {
        let root = next_department;
        next_department += 1;
        store.departments.insert(
            root,
            Department { id: root, name: name.to_string(), code: code.to_string(), parent_id: 0, leader_id: 0 },
        );
        for (child_name, child_code) in children.iter() {
            let id = next_department;
            next_department += 1;
            store.departments.insert(
                id,
                Department { id, name: child_name.to_string(), code: child_code.to_string(), parent_id: root, leader_id: 0 },
            );
            leaf_departments.push(id);
        }
    }

    let mut rng = SplitMix64::derive(seed, "persons");
    let mut used_mobiles = HashSet::new();
    let mut used_ic = HashSet::new();
    let unique = |rng: &mut SplitMix64, used: &mut HashSet<String>, make: &dyn Fn(&mut SplitMix64) -> String| loop {
        let value = make(rng);
        if used.insert(value.clone()) {
            return value;
        }
    };
    let mobile = |r: &mut SplitMix64| format!("{}{}", r.pick(&["090", "080", "070"]), r.digits(8));
    let ic = |r: &mut SplitMix64| r.hex(16).to_uppercase();

    let random_name = |rng: &mut SplitMix64| -> (String, u8) {
        let family = rng.pick(FAMILY_NAMES);
        if rng.chance(50) {
            (format!("{family} {}", rng.pick(MALE_NAMES)), 2)
        } else {
            (format!("{family} {}", rng.pick(FEMALE_NAMES)), 1)
        }
    };
    let random_date = |rng: &mut SplitMix64, from_year: i64, to_year: i64| -> String {
        let year = rng.range(from_year, to_year);
        format!("{year:04}-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28))
    };

    let mut photo_rng = SplitMix64::derive(seed, "photos");
    let mut add_seeded_photo = |store: &mut Store, person_id: i64| -> String {
        let bytes = synthetic_png(seed ^ (person_id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15), 16);
        let sha256 = hex(&Sha256::digest(&bytes));
        let id = photo_rng.hex(24);
        store.photos.insert(id.clone(), Photo { bytes: bytes.into(), content_type: "image/png", sha256 });
        id
    };

    let mut employee_ids = Vec::new();
    for index in 0..EMPLOYEES {
        let id = store.allocate_person_id();
        let (name, gender) = random_name(&mut rng);
        let create_at = SEED_EPOCH - rng.range(30, 700) * 86_400 + rng.range(0, 86_399);
        let updated = rng.chance(25);
        let update_at = if updated { create_at + rng.range(1, 25) * 86_400 } else { create_at };
        let mut groups = vec![employee_groups[0]];
        if rng.chance(60) {
            groups.push(*rng.pick(&employee_groups[1..]));
        }
        let has_photo = rng.chance(92);
        let job_number = format!("E{:05}", 10_000 + index * 7 + rng.below(7) as usize);
        let mut person = Person {
            id,
            kind: TYPE_EMPLOYEE,
            name,
            mobile: Some(unique(&mut rng, &mut used_mobiles, &mobile)),
            remark: Some(rng.pick(REMARKS).to_string()),
            birthday: Some(random_date(&mut rng, 1962, 2003)),
            mail: Some(format!("{}@example.co.jp", job_number.to_lowercase())),
            position: Some(rng.pick(POSITIONS).to_string()),
            location: Some(rng.pick(LOCATIONS).to_string()),
            prompt: Some(if rng.chance(20) { "おはようございます".into() } else { String::new() }),
            ic_number: Some(if rng.chance(85) { unique(&mut rng, &mut used_ic, &ic) } else { String::new() }),
            id_number: None,
            job_number: Some(job_number),
            area_code: Some("81".into()),
            entry_time: Some(random_date(&mut rng, 2000, 2024)),
            gender: Some(gender),
            groups,
            department_id: *rng.pick(&leaf_departments),
            create_at,
            update_at,
            create_by: "admin".into(),
            ..Person::default()
        };
        if has_photo {
            let avatar = add_seeded_photo(&mut store, id);
            store.image_updates.push(ImageUpdate { person_id: id, avatar: avatar.clone(), at: create_at, remark: 0 });
            if updated {
                store.image_updates.push(ImageUpdate { person_id: id, avatar: avatar.clone(), at: update_at, remark: 1 });
            }
            person.avatar = Some(avatar);
        }
        employee_ids.push(id);
        store.persons.insert(id, person);
    }
    // Department leaders: the first employee of each department.
    let department_ids: Vec<i64> = store.departments.keys().copied().collect();
    for department_id in department_ids {
        let leader = store.persons.values().find(|p| p.department_id == department_id).map(|p| p.id);
        if let (Some(leader), Some(department)) = (leader, store.departments.get_mut(&department_id)) {
            department.leader_id = leader;
        }
    }

    for _ in 0..VISITORS {
        let id = store.allocate_person_id();
        let (name, gender) = random_name(&mut rng);
        let from = SEED_EPOCH + rng.range(-20, 20) * 86_400 + rng.range(8, 17) * 3600;
        let create_at = from - rng.range(1, 10) * 86_400;
        let avatar = add_seeded_photo(&mut store, id);
        let person = Person {
            id,
            kind: TYPE_VISITOR,
            name,
            avatar: Some(avatar),
            mobile: Some(unique(&mut rng, &mut used_mobiles, &mobile)),
            remark: Some(String::new()),
            gender: Some(gender),
            ic_number: Some(String::new()),
            groups: vec![visitor_groups[rng.below(visitor_groups.len() as u64) as usize]],
            reception_user_id: Some(*rng.pick(&employee_ids)),
            date_time_from: Some(from),
            date_time_to: Some(from + rng.range(1, 8) * 3600),
            guest_company: Some(rng.pick(GUEST_COMPANIES).to_string()),
            guest_purpose: Some(rng.pick(GUEST_PURPOSES).to_string()),
            guest_level: Some(String::new()),
            create_at,
            update_at: create_at,
            create_by: "admin".into(),
            ..Person::default()
        };
        store.persons.insert(id, person);
    }

    for index in 0..DENY_LIST_DIRECT + DENY_LIST_MOVED_IN {
        let id = store.allocate_person_id();
        let (name, gender) = random_name(&mut rng);
        let create_at = SEED_EPOCH - rng.range(10, 300) * 86_400;
        let avatar = add_seeded_photo(&mut store, id);
        let moved_in = index >= DENY_LIST_DIRECT;
        let person = Person {
            id,
            kind: TYPE_DENY_LIST,
            last_type: if moved_in { 1 + (index % 2) as u8 } else { 0 },
            name,
            avatar: Some(avatar),
            mobile: Some(if rng.chance(50) { unique(&mut rng, &mut used_mobiles, &mobile) } else { String::new() }),
            remark: Some("過去にトラブルあり".into()),
            prompt: Some("警備員を呼んでください".into()),
            gender: Some(gender),
            ic_number: Some(String::new()),
            area_code: Some("81".into()),
            groups: vec![deny_groups[0]],
            create_at,
            update_at: create_at,
            create_by: "OPEN API".into(),
            ..Person::default()
        };
        store.persons.insert(id, person);
    }

    let device_specs = [("正面玄関", "東京本社 1F"), ("通用口", "東京本社 B1F"), ("開発フロア", "東京本社 5F")];
    for (i, (name, location)) in device_specs.iter().enumerate() {
        let id = device_base + i as i64;
        store.devices.push(Device {
            id,
            name: name.to_string(),
            ldid: format!("SPS{}", SplitMix64::derive(seed, name).hex(12).to_uppercase()),
            location: location.to_string(),
        });
    }

    let mut record_rng = SplitMix64::derive(seed, "records");
    let mut times: Vec<i64> =
        (0..RECORDS).map(|_| SEED_EPOCH - record_rng.range(60, 30 * 86_400)).collect();
    times.sort_unstable();
    let recognisable: Vec<i64> = store.persons.values().filter(|p| p.kind != TYPE_DENY_LIST).map(|p| p.id).collect();
    for sign_time in times {
        let id = store.next_record_id;
        store.next_record_id += 1;
        let device_id = store.devices[record_rng.below(store.devices.len() as u64) as usize].id;
        let record = if record_rng.chance(5) {
            Record {
                id,
                user_id: 0,
                name: String::new(),
                kind: TYPE_STRANGER,
                sign_time,
                device_id,
                direction: 1,
                verify_score: record_rng.range(20, 60) as f64 / 100.0,
                mask: u8::from(record_rng.chance(30)),
                job_number: String::new(),
                ic_number: String::new(),
            }
        } else {
            let person = &store.persons[record_rng.pick(&recognisable)];
            Record {
                id,
                user_id: person.id,
                name: person.name.clone(),
                kind: person.kind,
                sign_time,
                device_id,
                direction: 1 + record_rng.below(2) as u8,
                verify_score: record_rng.range(80, 99) as f64 / 100.0,
                mask: u8::from(record_rng.chance(30)),
                job_number: person.job_number.clone().unwrap_or_default(),
                ic_number: person.ic_number.clone().unwrap_or_default(),
            }
        };
        store.records.push(record);
    }
    store
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
