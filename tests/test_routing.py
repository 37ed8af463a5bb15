"""Routing: complaint text and region → category and the responsible unit(s), primary first.

The complaints here are written for these tests in residents' own words, not taken from the
development set, so that they check the lexicon and the plans' lists generalise.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.batch import route_handler, run_jsonl
from knowledge.manifest import DEFAULT_CORPUS, load_manifest
from knowledge.routing import Router, Term, weigh
from knowledge.units import is_catch_all

ROOT = Path(__file__).resolve().parents[1]
SEED = {d.region: (DEFAULT_CORPUS / d.file).read_text(encoding="utf-8") for d in load_manifest()}
GENERAL = "12317"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.from_corpus()


# (text, region set by the resident or None, category, primary unit, region routed to)
OWN_COMPLAINTS = [
    ("坂东镇我们村有户人家开着小轿车住着三层楼,照样是贫困户,真正困难的我家反倒没评上", None, "identification_unfair", "县扶贫办", "闽清县"),
    ("车桥镇村会计把我家的扶贫补贴代领了,问他就说是手续费", None, "fund_misuse", "区纪委监委", "淮安区"),
    ("恩施这边村里发产业补助,村干部说要先交两百块好处费才给", None, "fund_misuse", "省纪委<监察委>", "湖北省"),
    ("戛洒镇的扶贫专干态度恶劣,去问政策就骂人", None, "cadre_conduct", "县纪委监委", "新平县"),
    ("我们村的第一书记一个月才来一回,有事根本找不到人", "闽清县", "cadre_conduct", "县委组织部", "闽清县"),
    ("驻村工作队的人一个月来一次,来了就拍个照走人", "湖北省", "cadre_conduct", "省委农工部", "湖北省"),
    ("危房改造的房子刚盖好一年墙就裂了好几道缝", "新平县", "housing_renovation", "县住房城乡建设局", "新平县"),
    ("我家土坯房一下雨就漏,报了危改两年没人来看", "淮安区", "housing_renovation", "区住建局", "淮安区"),
    ("孩子在县里读中职,雨露计划的补助一直没发下来,麻城的", None, "education_subsidy", "省教育厅", "湖北省"),
    ("娃在镇上读初中,寄宿生生活补助一学期都没见到", "新平县", "education_subsidy", "县教育局", "新平县"),
    ("在县医院住院,出院结算的时候报销比例连一半都不到", "闽清县", "medical_reimbursement", "闽清医保局", "闽清县"),
    ("签约的家庭医生一年了一次都没上过门", "闽清县", "medical_reimbursement", "县卫生健康局", "闽清县"),
    ("住院还要先交五千块押金,不是说先诊疗后付费吗", "湖北省", "medical_reimbursement", "省卫生计生委", "湖北省"),
    ("老娘七十多了一个人住,低保申请了两次都没批下来", "新平县", "dibao_social_assistance", "县民政局", "新平县"),
    ("我叔是孤寡老人,特困供养一直办不下来", "淮安区", "dibao_social_assistance", "区民政局", "淮安区"),
    ("重度残疾人护理补贴从去年开始就停了,也没人说为什么", "闽清县", "disability_support", "县残联", "闽清县"),
    ("我女儿是残疾人,想让她单独纳入低保,镇上说办不了", "淮安区", "disability_support", "区民政局", "淮安区"),
    ("公益岗位的保洁员工资拖欠了三个月了", "新平县", "employment", "县人力资源社会保障局", "新平县"),
    ("扶贫车间老板压我们工钱,说好一天八十只给五十", "闽清县", "employment", "县人社局", "闽清县"),
    ("信用社说要找吃财政饭的人担保才给扶贫小额贷款", "闽清县", "microcredit", "县金融办", "闽清县"),
    ("农商行说我六十多了年纪大,不给贷款", "淮安区", "microcredit", "人民银行淮安分行", "淮安区"),
    ("有人冒用我的名字贷了五万块,征信都花了,黄冈的", None, "microcredit", "人民银行武汉分行", "湖北省"),
    ("村里光伏电站的收益说是给贫困户分红,两年一分钱没见到", "淮安区", "industry_project", "区扶贫办", "淮安区"),
    ("我们村到镇上那条路全是坑,一下雨车都开不进来", "新平县", "infrastructure_road_water", "县交通运输局", "新平县"),
    ("自来水三天两头停,夏天根本没水喝", "闽清县", "infrastructure_road_water", "县水利局", "闽清县"),
    ("村口那座危桥好几年了也没人修", "淮安区", "infrastructure_road_water", "区交通运输局", "淮安区"),
    ("村里电压低得电灯都不亮,冰箱带不动", "闽清县", "infrastructure_road_water", "闽清县供电公司", "闽清县"),
    ("村里的垃圾半个月没人清运,臭得不行", "闽清县", "living_environment", "县住建局", "闽清县"),
    ("改厕改了一半就不管了,家里还是旱厕", "淮安区", "living_environment", "区住建局", "淮安区"),
    ("易地搬迁的安置房要先交两万装修费才给钥匙,房子到现在还没通水电", "新平县", "relocation", "县发展改革局", "新平县"),
    ("生态护林员的名额给了非贫困户,我们贫困户反而没份", "新平县", "ecology_forestry", "县林业局", "新平县"),
    ("退耕还林的补助今年少发了", "闽清县", "ecology_forestry", "县林业局", "闽清县"),
    ("低保被取消了,问村里也说不清楚,浏阳镇头的", None, "dibao_social_assistance", "镇党委、政府", "镇头镇"),
    ("孩子上小学的营养餐补助被学校扣了一半", None, "fund_misuse", "县纪委监委", None),
    ("我家被错退了,收入根本没达到脱贫标准", None, "identification_unfair", "县扶贫办", None),
    ("村支书把扶贫款挪用去修他自家门口的路", None, "fund_misuse", "县纪委监委", None),
    ("村里的自来水老是停", None, "infrastructure_road_water", "县水利局", None),
    ("天天让我们填表签字拍照,地里的活都干不成", None, "cadre_conduct", "县纪委监委", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "region", "category", "primary", "routed_to"), OWN_COMPLAINTS)
def test_own_complaints_reach_the_unit_whose_job_it_is(
    router, text, region, category, primary, routed_to
):
    routing = router.route(text, region)
    assert routing.category == category
    assert routing.region == routed_to
    assert routing.units[0] == primary


# Everyday sentences, several per category, none naming a place: the category alone.
EVERYDAY = [
    ("我们家明明符合条件,去年硬是被干部报成脱贫户了", "identification_unfair"),
    ("隔壁家儿子在城里买了房还是建档立卡户,凭啥", "identification_unfair"),
    ("扶贫系统里我家人口登记错了,少算了一个人", "identification_unfair"),
    ("村主任把我家的种粮补贴和扶贫补助都领走了,我一分没拿到", "fund_misuse"),
    ("村里扶贫项目的账从来不公开,钱花哪了没人知道", "fund_misuse"),
    ("办低保还得给村干部塞红包", "fund_misuse"),
    ("帮扶干部从来不到我家,表上却写着走访了十几次", "cadre_conduct"),
    ("镇上的干部说话难听,把我们当叫花子", "cadre_conduct"),
    ("反映问题打了好几次电话都没人管,推来推去", "cadre_conduct"),
    ("我家房子是D级危房,申请了改造一直没批", "housing_renovation"),
    ("施工队给我家改房子用的砖一碰就碎", "housing_renovation"),
    ("大学录取了,听说有生源地贷款和资助,学校说我们不在名单上", "education_subsidy"),
    ("幼儿园说建档立卡的入园补助要等明年", "education_subsidy"),
    ("伢读初中,学校还收了资料费,不是说免了吗", "education_subsidy"),
    ("看病报销要跑三个地方盖章", "medical_reimbursement"),
    ("老伴得了尿毒症,大病保险说不能报", "medical_reimbursement"),
    ("村卫生室常年关门,村医不在", "medical_reimbursement"),
    ("我家低宝被停了,说我家有车,那是三轮车", "dibao_social_assistance"),
    ("临时救助申请交上去半年了没音讯", "dibao_social_assistance"),
    ("我爸是五保户,乡里说供养金今年减了", "dibao_social_assistance"),
    ("儿子腿脚残疾,康复训练说有补助,一直没申请下来", "disability_support"),
    ("我是二级肢体残疾,生活补贴三个月没到账", "disability_support"),
    ("说好的护路员岗位,结果给了村干部的侄子", "employment"),
    ("在扶贫车间干了三个月,老板跑了,工资没给", "employment"),
    ("去参加电工培训,学了三天就结业了", "employment"),
    ("申请扶贫贷款,银行要房产证抵押", "microcredit"),
    ("贷款到期了,说好的贴息没给贴", "microcredit"),
    ("政府发的猪崽子拉回来就病死了三头", "industry_project"),
    ("入股合作社的五千块钱,说好每年分红,现在连本都要不回来", "industry_project"),
    ("发的果树苗子全是死的", "industry_project"),
    ("通组公路修到一半停了,下雨全是泥", "infrastructure_road_water"),
    ("村里手机信号差,打个电话要爬到山顶", "infrastructure_road_water"),
    ("我们组还没通自来水,天天挑水吃", "infrastructure_road_water"),
    ("村里的污水直接排到河里,河水又黑又臭", "living_environment"),
    ("猪圈就挨着住人的屋子,说要改一直没改", "living_environment"),
    ("搬迁到县城安置小区后没有工作,物业费还要自己交", "relocation"),
    ("旧房拆了,搬迁补助只给了一半", "relocation"),
    ("护林员每个月才给几百块,还拖着不发", "ecology_forestry"),
    ("我家的山林被划成公益林,补偿一直没兑现", "ecology_forestry"),
    ("小区停车位被人占了", "other"),
    ("网购的东西被快递员弄丢了,不赔", "other"),
    ("隔壁装修太吵了", "other"),
    ("俺家盖房子申请的危房补助,村里说名额没了", "housing_renovation"),
    ("伢上大学的路费补助几多钱,说有的一直没给", "education_subsidy"),
    ("村干部说我家不穷,把我家贫困户给取消了,可我老公瘫在床上", "identification_unfair"),
    ("村里评低保全是村干部的亲戚,我家这么困难都评不上", "dibao_social_assistance"),
    ("我们村的贫困户名单上有村主任他哥,人家开着厂", "identification_unfair"),
    ("扶贫羊发下来没几天就被收回去了,说是借给我们拍照的", "industry_project"),
    ("帮扶的公司租了我们的地,租金两年没给", "industry_project"),
    ("镇上卫生院看个感冒要一百多,说贫困户有优惠也没见着", "medical_reimbursement"),
    ("新农合交了钱,去市医院住院一分钱不给报", "medical_reimbursement"),
    ("残疾证办了两年还没下来", "disability_support"),
    ("家里老人瘫痪在床,护理补贴申请不下来", "disability_support"),
    ("扶贫工厂招我们去干活,说好包吃住,结果工钱一直拖", "employment"),
    ("村里安排的防洪巡堤员,干了半年一分钱没领到", "employment"),
    ("去银行申请五万元扶贫贷款,说我不是贫困户不能贷", "microcredit"),
    ("村里的水井干了,吃水要到三里外去挑", "infrastructure_road_water"),
    ("我们组二十多户人家到现在还没通电", "infrastructure_road_water"),
    ("村里班车取消了,娃上学要走一个多小时", "infrastructure_road_water"),
    ("垃圾池满了没人拉,苍蝇到处飞", "living_environment"),
    ("说是帮我们改厕所,挖了个坑就走了", "living_environment"),
    ("安置点的房子分给了不是搬迁户的人", "relocation"),
    ("搬迁新房住进去半年墙皮就掉了,水管也漏", "relocation"),
    ("我是生态护林员,镇上说今年名额减了,把我减掉了", "ecology_forestry"),
    ("退耕还林的钱说是打到卡上,查了没有", "ecology_forestry"),
    ("驻村干部天天在村部打牌", "cadre_conduct"),
    ("村支书说我上访就不给我家任何补助", "cadre_conduct"),
    ("村会计把危房改造的钱扣了两千", "fund_misuse"),
    ("扶贫的牛被村干部拉回自己家养了", "fund_misuse"),
    ("我家的低保金被村干部冒领了大半年", "fund_misuse"),
    ("镇上说我们家已经脱贫了,可我一分钱收入都没有", "identification_unfair"),
    ("邻居把垃圾倒在我家门口", "other"),
    ("我在网上买的化肥是假的,卖家不认", "other"),
    ("你好,我想反映一下,我们组有一户人家,儿子在广东开公司,家里盖了三层小洋楼,年年都是贫困户,享受各种补助,这公平吗", "identification_unfair"),
    ("精准扶贫户的名单是村干部自己定的,没开会也没公示", "identification_unfair"),
    ("去年说我家人均收入超了把我们退出了,那是把打工的钱算多了", "identification_unfair"),
    ("我们村的产业扶贫资金被村书记拿去给他亲戚搞养殖场了", "fund_misuse"),
    ("危改补助一万八,到我手上只有一万二,剩下的村里说是管理费", "fund_misuse"),
    ("修水渠的扶贫项目验收都是走过场,村干部跟包工头串通好的,工程款多报了", "fund_misuse"),
    ("我去镇政府问低保的事,工作人员让我明天再来,来了三次都这样", "cadre_conduct"),
    ("帮扶责任人一年就来一次,来了让我签字说满意", "cadre_conduct"),
    ("家里房子是几十年的老土房,下雨天屋里跟外面一样,报了几次改造都说没指标", "housing_renovation"),
    ("改造房子的钱发了,可是施工的师傅干到一半走了,房顶到现在都没盖", "housing_renovation"),
    ("孩子今年考上了高中,听说贫困家庭免学杂费,学校还是让交了一千二", "education_subsidy"),
    ("娃在特殊教育学校,说好的补助一学期没见到", "education_subsidy"),
    ("我娘住院花了三万多,说贫困户能报百分之九十,结果只报了一半多点", "medical_reimbursement"),
    ("村里卫生室的医生开药总是开贵的,也不给报", "medical_reimbursement"),
    ("我老汉七十五了,一个人过,村里说他儿子在外面有工作不能吃低保", "dibao_social_assistance"),
    ("家里遭了火灾,申请临时救助,乡里推到村里,村里推到乡里", "dibao_social_assistance"),
    ("我儿子先天脑瘫,每个月的残疾人两项补贴已经半年没打到卡上了", "disability_support"),
    ("我是聋哑人,想申请残疾人创业补助,残联说没有这个政策", "disability_support"),
    ("村里的保洁公益岗,明明说好每月八百,实际到手五百", "employment"),
    ("参加了乡里组织的厨师培训,说培训完包就业,到现在也没人管", "employment"),
    ("想贷个款养牛,信用社说要有公职人员担保,我们哪认识这种人", "microcredit"),
    ("扶贫贷款到期了银行催着还,可是当时说好三年的", "microcredit"),
    ("村里统一发的茶苗,种下去死了一大半,也没人来管", "industry_project"),
    ("我们把扶贫资金入股到合作社,说好每年给分红,现在合作社说亏了不分了", "industry_project"),
    ("通往我们组的路还是泥巴路,一下雨摩托车都骑不了", "infrastructure_road_water"),
    ("村里的饮水工程修好了水龙头一直没水出来", "infrastructure_road_water"),
    ("家里一开电饭煲就跳闸,电压太低了", "infrastructure_road_water"),
    ("村里的厕所改造完了用不了,冲水的水箱都是坏的", "living_environment"),
    ("村口垃圾堆成山,没人运走,下雨天臭气熏天", "living_environment"),
    ("我们是易地搬迁户,新房分到了,可是说好的扶贫车间一直没建", "relocation"),
    ("搬迁的时候说老房子拆了给补偿,现在老房子拆了钱没给", "relocation"),
    ("生态护林员是按贫困户选的,村里却选了村干部的儿子", "ecology_forestry"),
    ("退耕还林补助款每亩标准是多少,我家只拿到一半", "ecology_forestry"),
    ("楼上邻居天天漏水到我家,物业不管", "other"),
    ("我在镇上买的手机是翻新机,店家不给退", "other"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "category"), EVERYDAY)
def test_everyday_wording_is_classified(router, text, category):
    assert router.classify(text) == category


def test_one_phrase_is_one_piece_of_evidence():
    """Lexicon entries nested in one phrase (危房 in 危房改造) or near-missing it count once."""
    terms = [Term.parse("危房改造", strong=True), Term.parse("危房"), Term.parse("房屋改造")]
    assert weigh(terms, "我家危房改造的钱没到") == Term.parse("危房改造", strong=True).weight
    # Apart, they are two pieces of evidence.
    assert weigh(terms, "危房漏雨，危房改造也没人管") == sum(
        Term.parse(*spec).weight for spec in (("危房改造", True), ("危房",))
    )


def test_money_demanded_outweighs_the_subsidy_it_was_demanded_for(router):
    text = "镇上干部说我家的危房改造补助要交五百块好处费才给办"
    assert router.classify(text) == "fund_misuse"


@pytest.mark.parametrize(
    ("text", "category", "unit"),
    [
        ("老伴瘫痪在床,孙子在上学,低保报上去三次都没批", "dibao_social_assistance", "县民政局"),
        ("老伴住院花了好多钱,申请的低保被拒了", "dibao_social_assistance", "县民政局"),
        ("我屋里老倌子住院开刀,低保冇批", "dibao_social_assistance", "县民政局"),  # Hubei 冇
        ("家里老人住院,低保未批", "dibao_social_assistance", "县民政局"),  # written style
        ("家里是低保户,娃上大学的学费减免申请了没批", "education_subsidy", "县教育局"),
        (
            "孙女在读高中,家里住房困难,危房改造申请了两年没下来",
            "housing_renovation",
            "县住房城乡建设局",
        ),
    ],
)
def test_what_was_applied_for_or_refused_decides_not_the_family_circumstances(
    router, text, category, unit
):
    """A family's situation (an invalid, a child at school, a stay in hospital) is told as
    background; the thing applied for, refused or withheld is what the complaint is about."""
    routing = router.route(text, "新平县")
    assert routing.category == category
    assert routing.units[0] == unit


def test_a_refusal_in_another_clause_does_not_make_the_background_the_matter(router):
    # 上学 stands in its own clause; the refusal is of the 低保 of the next one.
    assert router.classify("两个娃都在上学,家里的低保不给办") == "dibao_social_assistance"
    # Without a refusal word, the circumstances are all there is to go by.
    assert router.classify("两个娃都在上学,学费交不起") == "education_subsidy"


@pytest.mark.parametrize(
    ("text", "region", "unit"),
    [
        ("结对帮扶的干部上门就是让我们按手印,问他低保政策一知半解", "闽清县", "县纪委监委"),
        (
            "驻村干部每次来只顾着拍照留痕,扶贫手册填得满满的,实事一件没办",
            "湖北省",
            "省纪委<监察委>",
        ),
        ("帮扶责任人来了就合个影,让我在明白卡上签名,问他政策一问三不知", "新平县", "县纪委监委"),
        ("帮扶干部走马观花,进门看一眼就走", None, "县纪委监委"),
        ("去乡里问低保的事,工作人员爱答不理,还甩脸子", "新平县", "县纪委监委"),
    ],
)
def test_formalism_and_bureaucratism_go_to_discipline_inspection(router, text, region, unit):
    """Going through the motions (photos and signatures for the file, forms, inspections, a
    cadre who knows nothing of the policy) and bureaucratism towards residents (爱答不理,
    甩脸子) are conduct matters for 纪委监委, even when the cadre is a resident team member,
    whose absence alone is 组织部's."""
    routing = router.route(text, region)
    assert routing.category == "cadre_conduct"
    assert routing.units[0] == unit


@pytest.mark.parametrize(
    ("text", "region", "category", "unit"),
    [
        # a child going to school is a circumstance; the bridge is the grievance
        (
            "娃上学要过一座危桥,桥都要垮了,说了几年没人修",
            "淮安区",
            "infrastructure_road_water",
            "区交通运输局",
        ),
        # a student loan is student aid, not a poverty micro-loan
        ("孩子考上大学,生源地贷款办不下来", "闽清县", "education_subsidy", "县教育局"),
        # money pocketed, in the everyday figures of speech
        ("村干部把扶贫羊卖了,钱都揣进自己兜里", "新平县", "fund_misuse", "县纪委监委"),
        ("修路的扶贫款进了包工头和村长的腰包", "湖北省", "fund_misuse", "省纪委<监察委>"),
        # a bad road described, not named
        (
            "寨子里的路烂得很,一下雨车子进不来",
            "新平县",
            "infrastructure_road_water",
            "县交通运输局",
        ),
    ],
)
def test_everyday_descriptions_reach_the_unit(router, text, region, category, unit):
    routing = router.route(text, region)
    assert routing.category == category
    assert routing.units[0] == unit


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("低包申请了半年没批下来", "dibao_social_assistance"),
        ("特昆供养说我不够条件", "dibao_social_assistance"),
        ("残机证跑了三趟还没办好", "disability_support"),
        ("我家被错腿了,收入根本不够", "identification_unfair"),
    ],
)
def test_a_word_typed_as_its_homophone_is_still_understood(router, text, category):
    """Pinyin input offers characters of the same sound: 低包 is 低保."""
    assert router.classify(text) == category


def test_real_words_that_sound_like_a_category_word_are_not_typos():
    # 带领 (lead) sounds like 代领 (collect in someone's name), 一包 (a pack) like 医保:
    # dictionary words and stretches with a function character mean what they say.
    for strong, typed in (("代领", "村干部带领我们修路"), ("医保", "送了他一包烟")):
        assert weigh([Term.parse(strong, strong=True)], typed) == 0
    assert weigh([Term.parse("低保", strong=True)], "低包") == Term.parse("低保", True).weight / 2


def test_place_in_the_text_sets_the_region(router):
    assert router.route("省璜镇的自来水老是停").region == "闽清县"
    assert router.route("村里的自来水老是停").region is None


def test_explicit_region_beats_a_place_in_the_text(router):
    routing = router.route("我老家在恩施,现在住这边,自来水老是停", "新平县")
    assert routing.region == "新平县"
    assert routing.units[0] == "县水利局"


def test_unknown_explicit_region_falls_back_to_the_text(router):
    assert router.route("车桥镇的危房改造没人管", "火星").region == "淮安区"


def test_units_come_from_the_section_that_covers_the_matter(router):
    routing = router.route("国家助学金一直没发下来", "闽清县")
    assert routing.section_path[-1] == "(四)深化教育扶贫"
    assert routing.units[0] == "县教育局"
    assert routing.evidence in SEED["闽清县"]
    assert all(unit in routing.evidence for unit in routing.units)


def test_lead_unit_comes_first_when_it_fits(router):
    assert router.route("残疾人家里无障碍改造一直没人来做", "新平县").units[:2] == [
        "县民政局",
        "县残联",
    ]
    relocation = router.route("搬到安置点以后什么扶持都没有", "湖北省")
    assert relocation.units[:2] == ["省发改委", "省扶贫办"]
    assert relocation.evidence.startswith("(牵头单位:省发改委、省扶贫办")


def test_job_beats_a_lead_that_does_not_fit(router):
    # 新平's list on problem rectification is led by 县扶贫办; taking money is 纪委's job.
    assert router.route("扶贫款被村干部私吞了", "新平县").units[0] == "县纪委监委"


def test_township_catch_alls_are_dropped(router):
    education = router.route("国家助学金一直没发下来", "闽清县")
    assert "各有关乡镇" in education.evidence and "各有关乡镇" not in education.units
    for text, region, *_ in OWN_COMPLAINTS:
        routing = router.route(text, region)
        if not routing.dispatcher_fallback:
            assert not any(is_catch_all(unit) for unit in routing.units), routing


def test_town_plan_without_units_goes_to_the_town_dispatcher(router):
    routing = router.route("合作社的分红一年都没给", "镇头镇")
    assert routing.units == ["镇党委、政府"]
    assert routing.dispatcher_fallback
    assert routing.evidence.startswith("镇党委、政府承担主体责任,党政一把手是第一责任人")
    assert routing.evidence in SEED["镇头镇"]


def test_matter_no_unit_does_goes_to_the_region_poverty_office(router):
    routing = router.route("护林员工资半年没发了", "淮安区")  # 淮安区 lists no forestry unit
    assert routing.units == ["区扶贫办"]
    assert routing.dispatcher_fallback


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("护林员的工资半年没发了", "县林业局"),
        ("助学金名额满了,不给我家", "县教育局"),
        ("村干部冒领了我的补贴", "县纪委监委"),
        ("低保申请了两次都没批", "县民政局"),
        ("评贫困户的时候把我家漏了", "县扶贫办"),
        ("村里的路全是坑", "县交通运输局"),
    ],
)
def test_unknown_place_gets_the_generic_county_unit(router, text, unit):
    routing = router.route(text)
    assert routing.region is None
    assert routing.units == [unit]
    assert routing.evidence == ""


def test_matter_no_plan_covers_gets_a_general_channel(router):
    routing = router.route("邻居家的狗天天半夜叫,吵得睡不着", "闽清县")
    assert routing.category == "other"
    assert routing.units == []
    assert GENERAL in routing.general_channel


def test_override_table_wins(tmp_path):
    table = tmp_path / "overrides.json"
    table.write_text(
        json.dumps(
            {
                "overrides": [
                    {
                        "region": "闽清县",
                        "category": "education_subsidy",
                        "units": ["县教育局学生资助中心"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    router = Router.from_corpus(overrides_path=table)
    assert router.route("助学金没发", "闽清县").units == ["县教育局学生资助中心"]
    assert router.route("助学金没发", "新平县").units[0] == "县教育局"
    # A table passed in by storage beats the file; "*" stands for any region.
    stored = Router.from_corpus(
        overrides_path=table, overrides={("*", "education_subsidy"): ["教育督导室"]}
    )
    assert stored.route("助学金没发", "新平县").units == ["教育督导室"]


def test_shipped_override_table_is_empty_and_valid():
    data = json.loads(
        (ROOT / "knowledge" / "data" / "routing_overrides.json").read_text(encoding="utf-8")
    )
    assert data["overrides"] == []


HOSTILE = [
    '{"id": "empty", "text": "", "region": null}',
    '{"id": "emoji", "text": "😡😡😡🙏", "region": "😀"}',
    '{"id": "sql", "text": "\'; DROP TABLE complaints;-- 低保", "region": "闽清县"}',
    '{"id": "markup", "text": "<b>危房</b><script>alert(1)</script>", "region": 5}',
    '{"id": "long", "text": "' + "低保没批" * 1250 + '", "region": "新平县"}',
    'not json at all {"id": "broken"',
    "[1, 2, 3]",
    '{"id": "nulltext", "text": null}',
    '{"id": "surrogate", "text": "\\ud800危房"}',
]


def test_batch_route_survives_hostile_lines(router):
    out = io.StringIO()
    failures = run_jsonl(route_handler(router), io.StringIO("\n".join(HOSTILE) + "\n"), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [
        "empty",
        "emoji",
        "sql",
        "markup",
        "long",
        "broken",
        None,
        "nulltext",
        "surrogate",
    ]
    assert failures == 2 and "error" in rows[5] and "error" in rows[6]
    by_id = {r["id"]: r for r in rows}
    assert by_id["long"]["units"][0] == "县民政局"
    assert by_id["empty"]["units"] == [] and GENERAL in by_id["empty"]["general_channel"]


def test_batch_command_line_answers_every_line():
    payload = ("\n".join(HOSTILE) + "\n").encode("utf-8") + b'\xff\xfe{"id": "bytes"}\n'
    payload += (
        json.dumps(
            {"id": "ok", "text": "护林员工资没发,新平的", "region": None}, ensure_ascii=False
        ).encode()
        + b"\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "route", "--jsonl"],
        input=payload,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(rows) == len(HOSTILE) + 2
    assert rows[-2]["id"] == "bytes" and "error" in rows[-2]
    assert (rows[-1]["id"], rows[-1]["region"], rows[-1]["units"][0]) == (
        "ok",
        "新平县",
        "县林业局",
    )


def test_plans_are_prepared_once_on_first_use_even_from_several_threads(monkeypatch):
    """The bot starts without cutting the plans' words (the intake's buttons need only the
    categories); the first complaints routed, on any thread, all get the plans' units."""
    from concurrent.futures import ThreadPoolExecutor

    prepared = []
    original = Router._plan

    def counting(self, doc, raw):
        prepared.append(doc.region)
        return original(self, doc, raw)

    monkeypatch.setattr(Router, "_plan", counting)
    fresh = Router.from_corpus()
    assert "housing_renovation" in fresh.lexicon.categories and prepared == []
    assert fresh.region_of("坂东镇的") == "闽清县" and prepared == []  # the intake's place step
    text = "危房改造的房子刚盖好一年墙就裂了好几道缝"
    with ThreadPoolExecutor(4) as pool:
        routed = list(pool.map(lambda _: fresh.route(text, "新平县"), range(8)))
    assert {r.units[0] for r in routed} == {"县住房城乡建设局"}
    assert sorted(prepared) == sorted(d.region for d in load_manifest())
